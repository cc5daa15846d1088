/**
 * `npm run bench:server`: the pooling server under load, on PGlite or (with DATABASE_URL) PostgreSQL.
 *
 * 1. A real server listens on 127.0.0.1 (loopback only). Simulated shoppers register intents over HTTP
 *    from a child process (its own event loop, so the load generator does not steal the server's), with
 *    bounded concurrency, count and time.
 * 2. The same run measures `system.ping` (no database) the same way: the ceiling of this stack here.
 * 3. One pool gets 1,000,000 intents (bulk INSERT ... SELECT generate_series), its aggregates are
 *    rebuilt, and its demand curve is fetched over HTTP and timed.
 * Last line: {"database":..,"registrationsPerSec":..,"p99Ms":..,"ceilingPerSec":..,"demandCurve1MMs":..}
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { hashToken, newToken } from '../server/auth/tokens.ts';
import { openBenchDatabase } from './database.ts';
import { poolDemand, rebuildPool } from '../server/domain/pools.ts';
import { startServer } from '../server/http/server.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const MAX_REQUESTS = Number(process.env.BENCH_MAX_REQUESTS ?? 60_000);
const SHOPPERS = 2000;
const PRODUCTS = 50;
const CURVE_INTENTS = Number(process.env.BENCH_CURVE_INTENTS ?? 1_000_000);

interface LoadJob {
  url: string;
  kind: 'register' | 'ping';
  tokens: string[];
  productIds: string[];
  concurrency: number;
  durationMs: number;
  maxRequests: number;
}

interface LoadResult {
  completed: number;
  failed: number;
  elapsedMs: number;
  latenciesMs: number[];
  firstError: string | null;
  /** CPU time the load generator itself used (user + system). */
  loadCpuMs: number;
}

// ---- load generator (worker thread) ---------------------------------------------------------------

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const target = new URL(job.url);
  const latencies: number[] = [];
  let issued = 0;
  let failed = 0;
  let firstError: string | null = null;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + job.durationMs;

  const send = (path: string, method: 'GET' | 'POST', token: string, body?: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path,
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200 && !firstError) firstError = `${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`;
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });

  const loop = async () => {
    while (performance.now() < deadline && issued < job.maxRequests) {
      const k = issued++;
      // Request k: shopper (k div P) mod S wants product k mod P, so concurrent joins spread over the pools
      // as they would across many product pages, and no pair repeats within the bounds.
      const token = job.tokens[Math.floor(k / job.productIds.length) % job.tokens.length]!;
      let status: number;
      const t0 = performance.now();
      if (job.kind === 'ping') {
        status = await send('/trpc/system.ping', 'GET', token);
      } else {
        const productId = job.productIds[k % job.productIds.length]!;
        const body = JSON.stringify({
          id: randomUUID(),
          productId,
          quantity: 1 + (k % 3),
          maxPrice: `${50 + (k % 100)}.${String(k % 100).padStart(2, '0')}`,
          currency: 'EUR',
          region: 'FR',
        });
        status = await send('/trpc/intents.register', 'POST', token, body);
      }
      const t1 = performance.now();
      if (status === 200) latencies.push(t1 - t0);
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const cpu = process.cpuUsage(cpuBefore);
  return { completed: latencies.length, failed, elapsedMs, latenciesMs: latencies, firstError, loadCpuMs: (cpu.user + cpu.system) / 1000 };
}

const IS_LOAD_PROCESS = process.argv[2] === '--load';
if (IS_LOAD_PROCESS) {
  process.once('message', (job: LoadJob) => {
    void runLoad(job).then((result) => process.send!(result, () => process.exit(0)));
  });
}

/** Runs the load in a child process: its own event loop and core, so it does not slow the server's. */
function inWorker(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--load'], { execArgv: ['--import', 'tsx'] });
    child.once('message', (result: LoadResult) => resolve(result));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(job);
  });
}

/**
 * CPU time used so far by the local PostgreSQL server's processes (all of them: backends, WAL writer,
 * checkpointer), from /proc; null where that cannot be read (another host, no /proc).
 */
function postgresCpuMs(): number | null {
  try {
    const tick = 100; // USER_HZ on Linux
    let total = 0;
    let found = false;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      if (name !== 'postgres' && !name.startsWith('postgres:')) continue;
      const fields = stat.slice(close + 2).split(' ');
      total += Number(fields[11]) + Number(fields[12]); // utime, stime
      found = true;
    }
    return found ? (total * 1000) / tick : null;
  } catch {
    return null;
  }
}

/**
 * Runs one load phase and what each side spent on it in CPU time: the server process (with PGlite, the
 * database too), the PostgreSQL processes (when local), and the load generator. On a machine whose cores
 * all three share, CPU time per request bounds the rate: cores × 1000 / total ms per request.
 */
async function measured(job: LoadJob): Promise<{ result: LoadResult; cpu: { serverMs: number; databaseMs: number | null; loadMs: number } }> {
  const server0 = process.cpuUsage();
  const database0 = postgresCpuMs();
  const result = await inWorker(job);
  const server = process.cpuUsage(server0);
  const database1 = postgresCpuMs();
  return {
    result,
    cpu: {
      serverMs: (server.user + server.system) / 1000,
      databaseMs: database0 === null || database1 === null ? null : database1 - database0,
      loadMs: result.loadCpuMs,
    },
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function summarise(label: string, { result: r, cpu }: Awaited<ReturnType<typeof measured>>) {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  const perSec = (r.completed / r.elapsedMs) * 1000;
  const summary = {
    perSec: Math.round(perSec),
    p50Ms: Number(percentile(sorted, 0.5).toFixed(2)),
    p99Ms: Number(percentile(sorted, 0.99).toFixed(2)),
    completed: r.completed,
    failed: r.failed,
  };
  console.log(`${label}: ${JSON.stringify(summary)}${r.firstError ? ` first error: ${r.firstError}` : ''}`);
  const per = (ms: number | null) => (ms === null ? 'n/a' : (ms / Math.max(1, r.completed + r.failed)).toFixed(3));
  console.log(
    `  CPU per request (ms): server ${per(cpu.serverMs)}, PostgreSQL ${per(cpu.databaseMs)}, load generator ${per(cpu.loadMs)}`,
  );
  return summary;
}

// ---- main --------------------------------------------------------------------------------------------

async function main() {
  const { database, dispose } = await openBenchDatabase('bench');
  const engine = database.engine;
  const server = await startServer({
    database,
    env: { PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_PER_SEC: 1_000_000, RATE_BURST: 1_000_000 },
  });
  try {
    const { db } = database;
    // Shoppers and products are set up directly (their creation is not what is measured).
    const tokens = Array.from({ length: SHOPPERS }, () => newToken('shopper'));
    for (let i = 0; i < tokens.length; i += 1000) {
      await db.insertInto('shopper').values(tokens.slice(i, i + 1000).map((t) => ({ token_hash: hashToken(t) }))).execute();
    }
    const products = await db
      .insertInto('product')
      .values(
        Array.from({ length: PRODUCTS }, (_, i) => ({
          name: `Bench product ${i}`,
          name_key: `bench-${i}-${randomUUID()}`,
          attr_key: '',
          gtin: null,
          brand: 'Bench',
          brand_key: 'bench',
          mpn: null,
          mpn_key: null,
          image: null,
          merged_into: null,
        })),
      )
      .returning('id')
      .execute();
    const productIds = products.map((p) => p.id);
    const job = { url: server.url, tokens, productIds, concurrency: CONCURRENCY, durationMs: DURATION_MS, maxRequests: MAX_REQUESTS };

    // Warm-up (JIT, connection pool, plan caches), not counted.
    await inWorker({ ...job, kind: 'ping', durationMs: 1000, maxRequests: 2000 });
    const ceiling = summarise('ceiling (system.ping)', await measured({ ...job, kind: 'ping' }));
    const registrations = summarise(`registrations (${CONCURRENCY} concurrent shoppers)`, await measured({ ...job, kind: 'register' }));
    const registered = await db.selectFrom('intent').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    const pooled = await db.selectFrom('pool').select(sql<number>`coalesce(sum(member_count), 0)::int`.as('n')).executeTakeFirstOrThrow();
    console.log(`intents stored: ${registered.n}, pool members: ${pooled.n} (must be equal)`);

    // One pool with CURVE_INTENTS intents, bulk-inserted.
    const t0 = performance.now();
    const product = await db
      .insertInto('product')
      .values({ name: 'Bench 1M', name_key: `bench-1m-${randomUUID()}`, attr_key: '', gtin: null, brand: null, brand_key: null, mpn: null, mpn_key: null, image: null, merged_into: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const pool = await db.insertInto('pool').values({ product_id: product.id, currency: 'EUR', region: 'FR', merged_into: null }).returning('id').executeTakeFirstOrThrow();
    await sql`insert into shopper (token_hash) select 'bench-1m-' || g from generate_series(1, ${CURVE_INTENTS}::int) g`.execute(db);
    // Max prices from 50.00 to 149.99 (10,000 distinct levels), one in ten with no max price.
    await sql`
      insert into intent (id, shopper_id, product_id, pool_id, quantity, max_price, currency, region)
      select gen_random_uuid(), s.id, ${product.id}::uuid, ${pool.id}::uuid, 1 + (s.n % 3),
        case when s.n % 10 = 0 then null else round((50 + random() * 100)::numeric, 2) end, 'EUR', 'FR'
      from (select id, row_number() over () as n from shopper where token_hash like 'bench-1m-%') s
    `.execute(db);
    const insertedMs = performance.now() - t0;
    const t1 = performance.now();
    const rebuilt = await rebuildPool(db, pool.id);
    const rebuildMs = performance.now() - t1;
    console.log(`1M pool: ${rebuilt.memberCount} members, ${rebuilt.totalQuantity} units; bulk insert ${Math.round(insertedMs)} ms, aggregate rebuild ${Math.round(rebuildMs)} ms`);

    // The demand curve over HTTP, as the dashboard asks for it: median of 7 after one warm-up.
    const shopperToken = tokens[0]!;
    const input = encodeURIComponent(JSON.stringify({ poolId: pool.id, maxPoints: 200 }));
    const times: number[] = [];
    let points = 0;
    for (let i = 0; i < 8; i++) {
      const start = performance.now();
      const response = await fetch(`${server.url}/trpc/pools.demand?input=${input}`, { headers: { authorization: `Bearer ${shopperToken}` } });
      const body = (await response.json()) as { result?: { data?: { curve: unknown[]; memberCount: number } } };
      const ms = performance.now() - start;
      if (!body.result?.data) throw new Error(`demand curve failed: ${JSON.stringify(body).slice(0, 300)}`);
      points = body.result.data.curve.length;
      if (i > 0) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const demandCurve1MMs = Number(times[Math.floor(times.length / 2)]!.toFixed(1));
    // The same query without HTTP and tRPC, to tell the database's share from the stack's.
    const poolRow = await db.selectFrom('pool').selectAll().where('id', '=', pool.id).executeTakeFirstOrThrow();
    const direct: number[] = [];
    for (let i = 0; i < 7; i++) {
      const start = performance.now();
      await poolDemand(db, poolRow, 200);
      direct.push(performance.now() - start);
    }
    direct.sort((a, b) => a - b);
    console.log(`demand curve in the database alone (no HTTP): median ${direct[3]!.toFixed(1)} ms`);
    // For comparison: the same curve computed from the intents themselves, without the aggregate.
    const t2 = performance.now();
    await sql`
      select max_price, sum(sum(quantity)) over (order by max_price desc) from intent
      where pool_id = ${pool.id} and status = 'live' and max_price is not null group by max_price
    `.execute(db);
    const rawMs = performance.now() - t2;
    console.log(`demand curve (${points} points from the aggregate, over HTTP): median ${demandCurve1MMs} ms of ${times.map((t) => t.toFixed(1)).join(', ')}; computed from the 1M intents instead: ${Math.round(rawMs)} ms`);

    console.log(
      JSON.stringify({
        database: engine,
        registrationsPerSec: registrations.perSec,
        p99Ms: registrations.p99Ms,
        ceilingPerSec: ceiling.perSec,
        demandCurve1MMs,
      }),
    );
  } finally {
    await server.close();
    await dispose();
  }
}

if (!IS_LOAD_PROCESS) await main();
