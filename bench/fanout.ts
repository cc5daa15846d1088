/**
 * `npm run bench:fanout`: a deal forms for a pool of N members, each connected to `events.shopper` over SSE.
 *
 * 1. A real server listens on 127.0.0.1 (loopback only), on PGlite in memory or, with DATABASE_URL, on that
 *    PostgreSQL (in a throwaway schema). N shoppers, their intents in one pool, a campaign with an accepted
 *    bid whose first tier the pool reaches: seeded in bulk, straight into the database.
 * 2. N real SSE connections (GET /trpc/events.shopper, the token in tRPC's connection params) are opened
 *    from child processes (their own event loops and file descriptors). If the machine refuses some, the
 *    rest subscribe in-process to the same event bus, and the split is printed.
 * 3. Once every subscriber is listening, the deal forms (one transaction: the deal, and one notice per
 *    member). The clock starts when that transaction has committed and stops, per subscriber, when its
 *    `deal.formed` notice has been read off the socket.
 * Last line: {"subscribers":N,"p50Ms":..,"p99Ms":..,"bytesPerSubscriber":..}
 * bytesPerSubscriber: bytes of SSE stream read by a subscriber from connecting to receiving the notice
 * (stream preamble, connection event and the notice; no HTTP headers).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { hashToken, newToken } from '../server/auth/tokens.ts';
import type { DatabaseHandle } from '../server/db/index.ts';
import { openBenchDatabase } from './database.ts';
import { formDeal } from '../server/domain/deals.ts';
import { rebuildPool } from '../server/domain/pools.ts';
import { createSupplierInvitation } from '../server/domain/suppliers.ts';
import { startServer } from '../server/http/server.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
const CHILDREN = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2);
/** How many subscribers get a real socket (the rest subscribe in-process); all by default. */
const REAL = Math.min(SUBSCRIBERS, Number(process.env.BENCH_REAL_CONNECTIONS ?? SUBSCRIBERS));
const CONNECT_CONCURRENCY = 200;
const TIME_LIMIT_MS = Number(process.env.BENCH_TIME_LIMIT_S ?? 240) * 1000;

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
const now = () => performance.timeOrigin + performance.now();

interface ClientJob {
  url: string;
  tokens: string[];
}
type ClientMessage =
  | { kind: 'connected'; connected: number; failed: number; firstError: string | null }
  | { kind: 'received'; times: number[]; bytes: number[]; missing: number };

// ---- SSE clients (child process) ----------------------------------------------------------------

function runClients(job: ClientJob): void {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const target = new URL(job.url);
  const input = encodeURIComponent(JSON.stringify({}));
  const received = new Array<number>(job.tokens.length).fill(0);
  const bytes = new Array<number>(job.tokens.length).fill(0);
  let connected = 0;
  let failed = 0;
  let firstError: string | null = null;
  let reported = false;

  const open = (token: string, index: number) =>
    new Promise<void>((resolve) => {
      const params = encodeURIComponent(JSON.stringify({ token }));
      let buffer = '';
      const req = request(
        { agent, host: target.hostname, port: target.port, path: `/trpc/events.shopper?input=${input}&connectionParams=${params}`, method: 'GET', headers: { accept: 'text/event-stream' } },
        (res) => {
          if (res.statusCode !== 200) {
            failed += 1;
            firstError ??= `HTTP ${res.statusCode}`;
            res.resume();
            resolve();
            return;
          }
          res.setEncoding('utf8');
          let counted = false;
          res.on('data', (chunk: string) => {
            if (received[index] === 0) bytes[index]! += Buffer.byteLength(chunk);
            if (!counted) {
              // The stream is open (tRPC sends its connection event first).
              counted = true;
              connected += 1;
              resolve();
            }
            buffer += chunk;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const message = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              if (received[index] === 0 && message.includes('"deal.formed"')) {
                received[index] = now();
                maybeReport();
              }
            }
          });
          res.on('error', () => {});
        },
      );
      req.on('error', (error) => {
        failed += 1;
        firstError ??= error.message;
        resolve();
      });
      req.end();
    });

  const maybeReport = () => {
    if (reported) return;
    if (received.every((t, i) => t > 0 || bytes[i] === 0)) report();
  };
  const report = () => {
    if (reported) return;
    reported = true;
    const message: ClientMessage = { kind: 'received', times: received, bytes, missing: received.filter((t, i) => t === 0 && bytes[i]! > 0).length };
    process.send!(message, () => process.exit(0));
  };
  process.on('message', (m: { kind: string }) => {
    // The parent's deadline: report what arrived.
    if (m.kind === 'report') report();
  });

  void (async () => {
    let next = 0;
    const worker = async () => {
      while (next < job.tokens.length) {
        const i = next++;
        await open(job.tokens[i]!, i);
      }
    };
    await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
    const message: ClientMessage = { kind: 'connected', connected, failed, firstError };
    process.send!(message);
  })();
}

// ---- The run -----------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

async function seed(database: DatabaseHandle, n: number) {
  const { db } = database;
  const tokens: string[] = [];
  const shopperIds: string[] = [];
  for (let i = 0; i < n; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, n - i) }, () => newToken('shopper'));
    const rows = await db.insertInto('shopper').values(batch.map((token) => ({ token_hash: hashToken(token) }))).returning('id').execute();
    tokens.push(...batch);
    shopperIds.push(...rows.map((r) => r.id));
  }
  const product = await db
    .insertInto('product')
    .values({ name: 'Casque Zorblax ZX-Fanout', name_key: `fanout-${randomBytes(4).toString('hex')}`, attr_key: '', gtin: null, brand: 'Zorblax', brand_key: 'zorblax', mpn: null, mpn_key: null, image: null, merged_into: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const pool = await db.insertInto('pool').values({ product_id: product.id, currency: 'EUR', region: 'FR', merged_into: null }).returning('id').executeTakeFirstOrThrow();
  for (let i = 0; i < n; i += 1000) {
    await db
      .insertInto('intent')
      .values(
        shopperIds.slice(i, i + 1000).map((shopperId) => ({
          id: crypto.randomUUID(),
          shopper_id: shopperId,
          product_id: product.id,
          pool_id: pool.id,
          listing_id: null,
          quantity: 1,
          max_price: null,
          currency: 'EUR',
          region: 'FR',
          withdrawn_at: null,
        })),
      )
      .execute();
  }
  await rebuildPool(db, pool.id);
  const organiser = await db
    .insertInto('organiser')
    .values({ email: `bench-${randomBytes(4).toString('hex')}@example.org`, display_name: 'Bench', password_hash: 'unused' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const campaign = await db
    .insertInto('campaign')
    .values({ pool_id: pool.id, organiser_id: organiser.id, state: 'open', target_price: '100', deadline: new Date(Date.now() + 86_400_000), organiser_margin: '5%' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const invitation = await createSupplierInvitation(db, campaign.id, 'Bench supplier');
  const bid = await db
    .insertInto('bid')
    .values({
      campaign_id: campaign.id,
      invitation_id: invitation.invitationId,
      tiers: JSON.stringify([{ minQuantity: Math.max(1, Math.floor(n / 2)), unitPrice: '99' }]),
      valid_until: new Date(Date.now() + 86_400_000),
      conditions: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Accepted just before the timed formation (not through acceptBid, which would form the deal at once,
  // and not now, or the deal engine's sweep would form it before the subscribers connect).
  return { tokens, shopperIds, campaignId: campaign.id, bidId: bid.id };
}

async function main(): Promise<void> {
  const hardStop = setTimeout(() => {
    console.error(`bench:fanout: time limit of ${TIME_LIMIT_MS / 1000} s reached`);
    process.exit(1);
  }, TIME_LIMIT_MS);
  hardStop.unref();

  const { database, dispose } = await openBenchDatabase('bench_fanout');
  const server = await startServer({ database, env: { PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', RATE_PER_SEC: 1_000_000, RATE_BURST: 1_000_000 }, logger: false });
  const children: ChildProcess[] = [];
  try {
    const seedStart = now();
    const { tokens, shopperIds, campaignId, bidId } = await seed(database, SUBSCRIBERS);
    console.log(`seeded ${SUBSCRIBERS} shoppers with intents in one pool in ${Math.round(now() - seedStart)} ms`);

    // Connect over loopback from child processes.
    const connectStart = now();
    const share = Math.ceil(REAL / CHILDREN);
    const connectedReports: Array<Promise<Extract<ClientMessage, { kind: 'connected' }>>> = [];
    const receivedReports: Array<Promise<Extract<ClientMessage, { kind: 'received' }>>> = [];
    for (let c = 0; c < CHILDREN; c++) {
      const from = c * share;
      const to = Math.min(REAL, from + share);
      if (from >= to) break;
      const child = fork(fileURLToPath(import.meta.url), ['--clients'], { execArgv: ['--import', 'tsx'] });
      children.push(child);
      const messages: ClientMessage[] = [];
      const waiters: Array<() => void> = [];
      child.on('message', (m: ClientMessage) => {
        messages.push(m);
        for (const w of waiters.splice(0)) w();
      });
      const waitFor = <K extends ClientMessage['kind']>(kind: K) =>
        new Promise<Extract<ClientMessage, { kind: K }>>((resolve) => {
          const check = () => {
            const found = messages.find((m) => m.kind === kind);
            if (found) resolve(found as Extract<ClientMessage, { kind: K }>);
            else waiters.push(check);
          };
          check();
        });
      connectedReports.push(waitFor('connected'));
      receivedReports.push(waitFor('received'));
      child.send({ url: server.url, tokens: tokens.slice(from, to) } satisfies ClientJob);
    }
    const connected = await Promise.all(connectedReports);
    const real = connected.reduce((s, r) => s + r.connected, 0);
    const refused = connected.reduce((s, r) => s + r.failed, 0);
    const withoutSocket = SUBSCRIBERS - real;
    console.log(`connected ${real} SSE subscribers over loopback in ${Math.round(now() - connectStart)} ms (${refused} refused${connected.find((r) => r.firstError)?.firstError ? `: ${connected.find((r) => r.firstError)!.firstError}` : ''})`);

    // Shoppers whose connection was refused subscribe in-process instead (same bus, no socket).
    const inProcessTimes: number[] = [];
    const abort = new AbortController();
    setMaxListeners(0, abort.signal);
    let inProcess = 0;
    if (withoutSocket > 0) {
      const connectedTopics = new Set<number>();
      // Which ones: those whose topic has no listener yet.
      shopperIds.forEach((id, i) => {
        if (server.bus.listenerCount(`shopper:${id}`) > 0) connectedTopics.add(i);
      });
      shopperIds.forEach((id, i) => {
        if (connectedTopics.has(i)) return;
        inProcess += 1;
        // One signal each, as each SSE request has: many listeners on one AbortSignal cost O(n) per add.
        const own = new AbortController();
        abort.signal.addEventListener('abort', () => own.abort(), { once: true });
        void (async () => {
          for await (const event of server.bus.subscribe(`shopper:${id}`, { signal: own.signal })) {
            if (event.type === 'deal.formed') {
              inProcessTimes.push(now());
              break;
            }
          }
        })();
      });
      console.log(`${inProcess} subscribers in-process (${refused} refused by the machine, ${SUBSCRIBERS - REAL} by BENCH_REAL_CONNECTIONS)`);
    }

    // Every subscriber's listener must be in place before the deal forms.
    const listening = () => shopperIds.filter((id) => server.bus.listenerCount(`shopper:${id}`) > 0).length;
    const waitStart = now();
    while (listening() < real + inProcess && now() - waitStart < 30_000) await new Promise((r) => setTimeout(r, 50));
    const heapMb = Math.round(process.memoryUsage().heapUsed / 1e6);
    console.log(`${listening()} subscribers listening on the bus (server heap ${heapMb} MB)`);

    // Server side: when the bus has handed the last notice to the subscribers (the rest is the sockets).
    let dispatched = 0;
    let dispatchedAt = 0;
    const dispatchWatch = new AbortController();
    void (async () => {
      for await (const event of server.bus.subscribe('*', { signal: dispatchWatch.signal })) {
        if (event.type === 'deal.formed' && event.topic.startsWith('shopper:') && ++dispatched === SUBSCRIBERS) {
          dispatchedAt = now();
          break;
        }
      }
    })();
    await database.db.updateTable('campaign').set({ accepted_bid_id: bidId }).where('id', '=', campaignId).execute();
    const formStart = now();
    const deal = await formDeal(server.bus, campaignId);
    const committed = now();
    if (!deal) throw new Error('the deal did not form');
    console.log(`deal formed: one transaction with ${SUBSCRIBERS} notices in ${Math.round(committed - formStart)} ms`);

    // Wait for every notice (children report when all of theirs arrived), bounded.
    const deadline = setTimeout(() => {
      for (const child of children) child.send({ kind: 'report' });
    }, 30_000);
    const received = await Promise.all(receivedReports);
    clearTimeout(deadline);
    while (inProcessTimes.length < inProcess && now() - committed < 30_000) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    dispatchWatch.abort();
    console.log(`the bus handed out all ${SUBSCRIBERS} notices ${dispatchedAt ? Math.round(dispatchedAt - committed) : '?'} ms after the commit`);

    const latencies: number[] = [];
    const byteCounts: number[] = [];
    let missing = 0;
    for (const r of received) {
      missing += r.missing;
      r.times.forEach((t, i) => {
        if (t > 0) {
          latencies.push(t - committed);
          byteCounts.push(r.bytes[i]!);
        }
      });
    }
    for (const t of inProcessTimes) latencies.push(t - committed);
    missing += inProcess - inProcessTimes.length;
    latencies.sort((a, b) => a - b);
    const round = (v: number) => Math.round(v * 10) / 10;
    console.log(`received by ${latencies.length} of ${SUBSCRIBERS} (${missing} missing); real sockets ${real}, in-process ${inProcess}; max ${round(latencies[latencies.length - 1] ?? NaN)} ms`);
    const bytesPerSubscriber = byteCounts.length ? Math.round(byteCounts.reduce((a, b) => a + b, 0) / byteCounts.length) : 0;
    console.log(
      JSON.stringify({
        subscribers: latencies.length,
        p50Ms: round(percentile(latencies, 0.5)),
        p99Ms: round(percentile(latencies, 0.99)),
        bytesPerSubscriber,
      }),
    );
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    await server.close();
    await dispose();
  }
}

if (process.argv.includes('--clients')) {
  process.once('message', (job: ClientJob) => runClients(job));
} else {
  await main();
  process.exit(0);
}
