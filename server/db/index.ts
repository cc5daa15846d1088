import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { prepareStatements } from './prepared.ts';
import type { Database } from './schema.ts';

export type Engine = 'pglite' | 'postgresql';

export interface DatabaseOptions {
  /** A PostgreSQL URL; without it PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory (created if missing); `memory://` for a throwaway database. */
  dataDir?: string | undefined;
  /** An already started PGlite (tests share one per file: a cold start costs seconds). */
  pglite?: PGlite | undefined;
  /** PostgreSQL only: work inside this schema (created if missing); tests isolate themselves this way. */
  schema?: string | undefined;
  /** PostgreSQL only: connections in the pool. */
  poolSize?: number | undefined;
  /** PostgreSQL only: send parameterised statements as prepared statements (db/prepared.ts). Default: on. */
  preparedStatements?: boolean | undefined;
}

export interface DatabaseHandle {
  readonly engine: Engine;
  readonly db: Kysely<Database>;
  /**
   * Receives NOTIFY payloads on a channel (delivered when the notifying transaction commits). Channel names
   * are scoped to the schema, so test files sharing one PostgreSQL database do not hear each other.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** The channel name to use in `pg_notify` for a logical channel. */
  channel(name: string): string;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(options.schema)}`);
  }
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPGlite(options);
}

async function openPGlite(options: DatabaseOptions): Promise<DatabaseHandle> {
  const owned = !options.pglite;
  let pglite = options.pglite;
  if (!pglite) {
    const dataDir = options.dataDir ?? '.data/pglite';
    if (!dataDir.includes('://')) mkdirSync(dataDir, { recursive: true });
    pglite = await PGlite.create(dataDir);
  }
  const instance = pglite;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(instance) });
  const prefix = options.schema ? `${options.schema}_` : '';
  if (options.schema) {
    await sql.raw(`create schema if not exists ${options.schema}`).execute(db);
    // One connection: setting the search path once holds for every later query.
    await sql.raw(`set search_path to ${options.schema}`).execute(db);
  }
  return {
    engine: 'pglite',
    db,
    channel: (name) => `${prefix}${name}`,
    async listen(channel, onPayload) {
      const unlisten = await instance.listen(`${prefix}${channel}`, onPayload);
      return async () => {
        await unlisten();
      };
    },
    async close() {
      await db.destroy();
      if (owned) await instance.close();
    },
  };
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<DatabaseHandle> {
  const schema = options.schema;
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  // pg returns int8 as a string and PGlite as a number: make pg agree (our bigints are counts far below 2^53).
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === pg.types.builtins.INT8
        ? (value: string) => Number(value)
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const connectionOptions = {
    connectionString: url,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  };
  const pool = new pg.Pool({ ...connectionOptions, max: options.poolSize ?? 10 });
  if (options.preparedStatements !== false) prepareStatements(pool);
  // An idle client's error (server restart) must not crash the process: the pool drops that client.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const prefix = schema ? `${schema}_` : '';

  // LISTEN needs a connection of its own, kept out of the pool.
  let listener: pg.Client | null = null;
  const handlers = new Map<string, Set<(payload: string) => void>>();
  let closing = false;
  const connectListener = async (): Promise<pg.Client> => {
    const client = new pg.Client(connectionOptions);
    client.on('notification', (message) => {
      for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    client.on('error', () => {
      // Reconnect and listen again; events committed meanwhile are replayed by the bus from the table.
      if (closing) return;
      listener = null;
      setTimeout(() => {
        if (!closing && handlers.size > 0) void ensureListener().catch(() => {});
      }, 1000).unref();
    });
    await client.connect();
    for (const channel of handlers.keys()) await client.query(`listen "${channel}"`);
    return client;
  };
  let connecting: Promise<pg.Client> | null = null;
  const ensureListener = async (): Promise<pg.Client> => {
    if (listener) return listener;
    connecting ??= connectListener().then(
      (client) => {
        listener = client;
        connecting = null;
        return client;
      },
      (error: unknown) => {
        connecting = null;
        throw error;
      },
    );
    return connecting;
  };

  return {
    engine: 'postgresql',
    db,
    channel: (name) => `${prefix}${name}`,
    async listen(name, onPayload) {
      const channel = `${prefix}${name}`;
      let set = handlers.get(channel);
      const isNew = !set;
      if (!set) handlers.set(channel, (set = new Set()));
      set.add(onPayload);
      const client = await ensureListener();
      if (isNew) await client.query(`listen "${channel}"`);
      return async () => {
        set.delete(onPayload);
        if (set.size === 0) {
          handlers.delete(channel);
          await listener?.query(`unlisten "${channel}"`).catch(() => {});
        }
      };
    },
    async close() {
      closing = true;
      await listener?.end().catch(() => {});
      await db.destroy();
    },
  };
}

/** Runs every migration not yet applied; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  // Named explicitly: without it Kysely looks for its migration tables in every schema, so a second schema
  // on the same PostgreSQL (a test file, a benchmark) makes it skip creating its own and then fail.
  const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrationTableSchema = current.rows[0]?.schema ?? 'public';
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
