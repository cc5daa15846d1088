import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createRequestContext } from '../trpc/context.ts';
import { registerExtensionCors } from './cors.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../db/index.ts';
import { parseEnv, type Env } from '../env.ts';
import { DealEngine } from '../domain/deal-engine.ts';
import { EventBus } from '../events/bus.ts';
import { registerHandoffRoutes } from './handoff-route.ts';
import { RateLimiter } from '../trpc/rate-limit.ts';
import { registerFastLane } from './fast-lane.ts';
import { registerShopperEventStream } from './sse.ts';
import { appRouter, type AppRouter } from '../routers/_app.ts';

/**
 * The HTTP server: fastify with tRPC at /trpc (queries, mutations, and subscriptions over SSE), /health,
 * a body size limit, per-token rate limiting (in the tRPC middleware, so it answers with a tRPC error),
 * and fastify's structured logs.
 */

export interface ServerOptions {
  /** Overrides on top of the process environment (validated the same way). */
  env?: Partial<Record<keyof Env, string | number>>;
  /** An already opened database (tests); otherwise opened from DATABASE_URL / DATA_DIR. */
  database?: DatabaseHandle;
  /** Extra routes before listening (the start script serves the dashboard this way). */
  configure?: (app: FastifyInstance) => void | Promise<void>;
  /** Logger override: false silences it (tests). */
  logger?: boolean;
  /** false: `intents.register` goes through tRPC's adapter too (tests compare both; see fast-lane.ts). */
  fastLane?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  database: DatabaseHandle;
  bus: EventBus;
  env: Env;
  /** http://host:port (the port actually bound when PORT=0). */
  url: string;
  close(): Promise<void>;
}

export async function buildServer(env: Env, database: DatabaseHandle, bus: EventBus, logger = true, fastLane = true): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      logger && env.LOG_LEVEL !== 'silent'
        ? {
            level: env.LOG_LEVEL,
            // Query strings carry tRPC inputs (a product page a shopper looked at) and addresses identify
            // people: neither goes to the logs (privacy by design).
            serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }) },
          }
        : false,
    bodyLimit: env.BODY_LIMIT,
    // Without it close() waits forever on open SSE streams.
    forceCloseConnections: true,
    // Batched GET requests carry every procedure name in the path.
    routerOptions: { maxParamLength: 5000 },
  });
  const rateLimiter = new RateLimiter({ perSecond: env.RATE_PER_SEC, burst: env.RATE_BURST });
  const base = { db: database.db, bus, rateLimiter, sessionHours: env.SESSION_HOURS };
  registerExtensionCors(app);

  app.get('/health', async (_request, reply) => {
    try {
      await sql`select 1`.execute(database.db);
      return { status: 'ok', database: database.engine };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: database.engine });
    }
  });

  registerHandoffRoutes(app, database.db);

  const trpcOptions = {
    router: appRouter,
    // Lets clients send queries as POST (`methodOverride: 'POST'`), keeping large inputs out of URLs.
    allowMethodOverride: true,
    createContext: ({ req, info }) =>
      createRequestContext(base, {
        authorization: req.headers.authorization,
        connectionParams: info.connectionParams,
        ip: req.ip,
      }),
    onError({ path, error }) {
      // Client mistakes are answers, not incidents; only log what the server got wrong.
      if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ path, err: error.cause ?? error }, 'procedure failed');
    },
  } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'];
  // Shoppers' notice streams skip tRPC's stream layer (same wire format): see sse.ts.
  registerShopperEventStream(app, { prefix: '/trpc', base, trpcOptions });
  // Registrations skip tRPC's HTTP adapter (same answers): see fast-lane.ts.
  if (fastLane) await registerFastLane(app, { prefix: '/trpc', base, trpcOptions });
  await app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions });
  return app;
}

/** Opens the database, runs migrations, starts the event bus and listens. `npm start` calls this. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const overrides = Object.fromEntries(Object.entries(options.env ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  const env = parseEnv({ ...process.env, ...overrides });
  const database =
    options.database ?? (await openDatabase({
        databaseUrl: env.DATABASE_URL,
        dataDir: env.DATA_DIR,
        poolSize: 20,
        preparedStatements: env.DATABASE_PREPARED_STATEMENTS === 'on',
      }));
  const owned = !options.database;
  try {
    await migrateToLatest(database.db);
    const bus = new EventBus(database, { retentionDays: env.EVENT_RETENTION_DAYS });
    await bus.start();
    // Issue 5: forms deals as pools grow, announces and ends confirmation windows (every process runs one).
    const engine = new DealEngine(database.db, bus);
    await engine.start();
    const app = await buildServer(env, database, bus, options.logger ?? true, options.fastLane ?? true);
    await options.configure?.(app);
    await app.listen({ port: env.PORT, host: env.HOST });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : env.PORT;
    const host = env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
    return {
      app,
      database,
      bus,
      env,
      url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
      async close() {
        await app.close();
        await engine.stop();
        await bus.stop();
        if (owned) await database.close();
      },
    };
  } catch (error) {
    if (owned) await database.close().catch(() => {});
    throw error;
  }
}
