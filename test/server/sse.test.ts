import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestContext } from '../../server/trpc/context.ts';
import type { ShopperNotice } from '../../core/shopper-deal.ts';
import { shopperTopic } from '../../server/domain/notices.ts';
import { startServer, type RunningServer } from '../../server/http/server.ts';
import { appRouter, type AppRouter } from '../../server/routers/_app.ts';
import { ENGINES, useTestDatabase } from './helpers.ts';

/**
 * server/http/sse.ts streams `events.shopper` itself: what a client reads must be what tRPC's own handler
 * writes for the same request. The reference is tRPC's fetch adapter on the same router, database and bus.
 */

const FRAME_END = '\n\n\n';

/** Reads whole SSE frames (tRPC ends each with a blank line after its own newline) until `count` or the end. */
function frameReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let ended = false;
  return {
    async next(count: number, timeoutMs = 5000): Promise<string[]> {
      const frames: string[] = [];
      const deadline = Date.now() + timeoutMs;
      while (frames.length < count) {
        const end = buffer.indexOf(FRAME_END);
        if (end >= 0) {
          frames.push(buffer.slice(0, end + FRAME_END.length));
          buffer = buffer.slice(end + FRAME_END.length);
          continue;
        }
        if (ended || Date.now() > deadline) break;
        const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
        if (chunk === null) continue;
        if (chunk.done) ended = true;
        else buffer += chunk.value;
      }
      return frames;
    },
    get ended() {
      return ended;
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

describe.each(ENGINES)('events.shopper SSE writer on %s', (engine) => {
  const t = useTestDatabase(engine);
  let server: RunningServer;
  let token: string;
  let shopperId: string;

  const reference = (path: string, headers: Record<string, string> = {}) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      req: new Request(`${server.url}${path}`, { headers: { accept: 'text/event-stream', ...headers } }),
      router: appRouter,
      createContext: ({ req, info }) =>
        createRequestContext(
          { db: t.handle.db, bus: server.bus },
          { authorization: req.headers.get('authorization') ?? undefined, connectionParams: info.connectionParams, ip: '127.0.0.1' },
        ),
    });
  const viaServer = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers: { accept: 'text/event-stream', ...headers } });
  const query = (input: unknown, params: unknown) =>
    `/trpc/events.shopper?${input === undefined ? '' : `input=${encodeURIComponent(JSON.stringify(input))}&`}${params === undefined ? '' : `connectionParams=${encodeURIComponent(JSON.stringify(params))}`}`;
  const notice = (productName: string): ShopperNotice => ({ type: 'deal.formed', campaignId: '00000000-0000-4000-8000-000000000000', productName, unitPrice: '99.50', currency: 'EUR' });
  const publish = (productName: string) =>
    server.bus.transaction((trx) => server.bus.publish(trx, shopperTopic(shopperId), 'deal.formed', notice(productName)));
  const waitForListeners = async (count: number) => {
    for (let i = 0; i < 200 && server.bus.listenerCount(shopperTopic(shopperId)) !== count; i++) await new Promise((r) => setTimeout(r, 25));
    return server.bus.listenerCount(shopperTopic(shopperId));
  };

  beforeAll(async () => {
    server = await startServer({ database: t.handle, env: { PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', RATE_PER_SEC: 1000, RATE_BURST: 1000 }, logger: false });
    const created = await fetch(`${server.url}/trpc/identity.createShopper`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    ({ token, shopperId } = ((await created.json()) as { result: { data: { token: string; shopperId: string } } }).result.data);
    expect(shopperId).toBeTruthy();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('writes the same headers and bytes as tRPC for a resumed stream, then for a live event', async () => {
    // Resumed from the event just before each case's own one (query input, Last-Event-ID header, query
    // parameter with a bearer header), then one live event.
    const cases: Array<(since: number) => [string, Record<string, string>]> = [
      (since) => [query({ lastEventId: String(since) }, { token }), {}],
      (since) => [query(undefined, { token }), { 'last-event-id': String(since) }],
      (since) => [`${query({}, undefined)}&lastEventId=${since}`, { authorization: `Bearer ${token}` }],
    ];
    for (const make of cases) {
      const first = await publish('Casque "Zorblax" été\nnouveau');
      const [path, headers] = make(first - 1);
      const [mine, theirs] = await Promise.all([viaServer(path, headers), reference(path, headers)]);
      expect(mine.status).toBe(theirs.status);
      for (const name of ['content-type', 'cache-control', 'x-accel-buffering', 'vary']) expect(mine.headers.get(name), name).toBe(theirs.headers.get(name));
      const [a, b] = [frameReader(mine), frameReader(theirs)];
      const [framesA, framesB] = await Promise.all([a.next(2), b.next(2)]);
      expect(framesA).toHaveLength(2);
      expect(framesA).toEqual(framesB);
      expect(framesA[1]).toContain(`id: ${first}\n`);

      // Live: both listening, one more event.
      const live = publish('Casque Zorblax ZX-3');
      const [liveA, liveB] = await Promise.all([a.next(1), b.next(1)]);
      expect(liveA).toHaveLength(1);
      expect(liveA).toEqual(liveB);
      await Promise.all([a.cancel(), b.cancel()]);
      const frame = /^data: (.*)\nid: (\d+)\n\n\n$/.exec(liveA[0]!);
      expect(frame?.[2]).toBe(String(await live));
      // jsonb keeps its own key order: compare as data.
      expect(JSON.parse(frame![1]!)).toEqual(notice('Casque Zorblax ZX-3'));
    }
    // Every stream that closed stopped listening.
    expect(await waitForListeners(0)).toBe(0);
  });

  it('answers refusals exactly as tRPC does (no token, unknown token, bad input, bad connection params, a batch)', async () => {
    const paths = [
      query({}, undefined),
      query({}, { token: 'shp_' + 'x'.repeat(43) }),
      query({ lastEventId: 'not-an-id' }, { token }),
      `/trpc/events.shopper?connectionParams=${encodeURIComponent('{"token":1}')}`,
      `/trpc/events.shopper?batch=1&input=${encodeURIComponent('{}')}&connectionParams=${encodeURIComponent(JSON.stringify({ token }))}`,
    ];
    for (const path of paths) {
      const [mine, theirs] = await Promise.all([viaServer(path), reference(path)]);
      expect(mine.status, path).toBe(theirs.status);
      expect(mine.headers.get('content-type'), path).toBe(theirs.headers.get('content-type'));
      expect(await mine.text(), path).toBe(await theirs.text());
    }
    expect(server.bus.listenerCount(shopperTopic(shopperId))).toBe(0);
  });

  it('serves httpSubscriptionLink: live notices with their ids, and a resume without duplicates', async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpSubscriptionLink({ url: `${server.url}/trpc`, EventSource, connectionParams: { token } })] });
    const received: Array<{ id: string; data: ShopperNotice }> = [];
    let started!: () => void;
    const startedPromise = new Promise<void>((r) => (started = r));
    const sub = client.events.shopper.subscribe({}, { onStarted: () => started(), onData: (d) => received.push(d as { id: string; data: ShopperNotice }) });
    await startedPromise;
    expect(await waitForListeners(1)).toBe(1);
    const ids = [await publish('A'), await publish('B')];
    for (let i = 0; i < 200 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    sub.unsubscribe();
    expect(received.map((r) => [r.id, r.data.productName])).toEqual([
      [String(ids[0]), 'A'],
      [String(ids[1]), 'B'],
    ]);
    expect(await waitForListeners(0)).toBe(0);

    // Missed while away: resumed from the first id, only the second and a third.
    const third = await publish('C');
    const resumed: string[] = [];
    const sub2 = client.events.shopper.subscribe({ lastEventId: String(ids[0]) }, { onData: (d) => resumed.push((d as { id: string }).id) });
    for (let i = 0; i < 200 && resumed.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 200));
    sub2.unsubscribe();
    expect(resumed).toEqual([String(ids[1]), String(third)]);
  });
});
