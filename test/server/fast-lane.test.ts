import { randomUUID } from 'node:crypto';
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, httpLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainCall } from '../../server/http/fast-lane.ts';
import { startServer, type RunningServer } from '../../server/http/server.ts';
import type { AppRouter } from '../../server/routers/_app.ts';
import { ENGINES, snapshot, useTestDatabase } from './helpers.ts';

// `intents.register` is answered without tRPC's HTTP adapter (server/http/fast-lane.ts). Clients must not see a
// difference: the same requests to a server with the fast lane and to one without give the same answers.
describe.each(ENGINES)('the fast lane for registrations on %s', (engine) => {
  const t = useTestDatabase(engine);
  let fast: RunningServer;
  let plain: RunningServer;
  let token: string;
  let productId: string;

  beforeAll(async () => {
    const env = { PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', RATE_PER_SEC: 1000, RATE_BURST: 1000 } as const;
    fast = await startServer({ database: t.handle, env, logger: false });
    plain = await startServer({ database: t.handle, env, logger: false, fastLane: false });
    const anonymous = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${plain.url}/trpc` })] });
    token = (await anonymous.identity.createShopper.mutate()).token;
    const other = (await anonymous.identity.createShopper.mutate()).token;
    const first = await createTRPCClient<AppRouter>({ links: [httpLink({ url: `${plain.url}/trpc`, headers: { authorization: `Bearer ${other}` } })] })
      .intents.register.mutate({ id: randomUUID(), snapshot: snapshot(), quantity: 1, currency: 'EUR', region: 'FR' });
    productId = first.intent.productId;
  });
  afterAll(async () => {
    await fast?.close();
    await plain?.close();
  });

  /** The same raw request to both servers: status, headers and body. */
  async function both(path: string, body: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
    const send = async (server: RunningServer) => {
      const response = await fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      // Every header but those of the moment and the connection.
      const kept = [...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name));
      return { status: response.status, headers: Object.fromEntries(kept), body: await response.text() };
    };
    return { fast: await send(fast), plain: await send(plain) };
  }

  it('refuses as tRPC does: not signed in, invalid input, malformed JSON, a second live intent', async () => {
    // Only one of the two servers has the route: the comparisons below compare two different paths.
    expect(fast.app.hasRoute({ method: 'POST', url: '/trpc/intents.register' })).toBe(true);
    expect(plain.app.hasRoute({ method: 'POST', url: '/trpc/intents.register' })).toBe(false);
    const input = (id = randomUUID()) => ({ id, productId, quantity: 2, maxPrice: '80', currency: 'EUR', region: 'FR' });
    const cases = [
      await both('intents.register', JSON.stringify(input()), {}),
      await both('intents.register', JSON.stringify({ ...input(), quantity: 0, currency: 'eur' })),
      await both('intents.register?batch=1', JSON.stringify({ 0: { ...input(), quantity: 0 } })),
      await both('intents.register', '{"id": '),
    ];
    // From the extension (CORS headers), too.
    cases.push(await both('intents.register', JSON.stringify(input()), { origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' }));
    for (const { fast: a, plain: b } of cases) expect(a).toEqual(b);
    expect(cases.at(-1)!.fast.headers['access-control-allow-origin']).toBe('chrome-extension://abcdefghijklmnopabcdefghijklmnop');
    expect(cases.map((c) => c.fast.status)).toEqual([401, 400, 400, 400, 401]);

    // The shopper joins (through the plain server), then tries again with another id on each: CONFLICT.
    const joined = await fetch(`${plain.url}/trpc/intents.register`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(input()) });
    expect(joined.status).toBe(200);
    const conflict = await both('intents.register', JSON.stringify(input()));
    expect(conflict.fast).toEqual(conflict.plain);
    expect(conflict.fast.status).toBe(409);
    expect(JSON.parse(conflict.fast.body).error.data.refusal.key).toBe('alreadyWanted');
  });

  it('answers a call and a batch of one as tRPC does, and the tRPC client reads both', async () => {
    for (const server of [fast, plain]) {
      const { token: shopper } = await createTRPCClient<AppRouter>({ links: [httpLink({ url: `${server.url}/trpc` })] }).identity.createShopper.mutate();
      const headers = { authorization: `Bearer ${shopper}` };
      const single = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${server.url}/trpc`, headers })] });
      const batched = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/trpc`, headers })] });
      const input = { id: randomUUID(), productId, quantity: 1, maxPrice: null, currency: 'EUR', region: 'FR' };
      const registered = await single.intents.register.mutate(input);
      expect(registered).toMatchObject({ created: true, intent: { id: input.id, productId, status: 'live' } });
      // The retry, batched: the intent registered the first time.
      const retried = await batched.intents.register.mutate(input);
      expect(retried).toEqual({ ...registered, created: false, pool: { ...registered.pool, memberCount: retried.pool.memberCount, totalQuantity: retried.pool.totalQuantity, updatedAt: retried.pool.updatedAt } });
    }
    // A streaming client is answered by tRPC's handler, in its format.
    const streaming = createTRPCClient<AppRouter>({ links: [httpBatchStreamLink({ url: `${fast.url}/trpc`, headers: { authorization: `Bearer ${token}` } })] });
    const streamed = await streaming.intents.register.mutate({ id: randomUUID(), productId, quantity: 1, maxPrice: null, currency: 'EUR', region: 'FR' }).catch((e: unknown) => e);
    expect(streamed).toMatchObject({ data: { code: 'CONFLICT' } });
    // Byte for byte: the answer to a retry (nothing in it changes between the two servers but the pool's counters).
    const { token: shopper } = await createTRPCClient<AppRouter>({ links: [httpLink({ url: `${plain.url}/trpc` })] }).identity.createShopper.mutate();
    const body = JSON.stringify({ id: randomUUID(), productId, quantity: 3, maxPrice: '70', currency: 'EUR', region: 'FR' });
    await fetch(`${plain.url}/trpc/intents.register`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${shopper}` }, body });
    const again = await both('intents.register', body, { authorization: `Bearer ${shopper}` });
    expect(again.fast).toEqual(again.plain);
    expect(JSON.parse(again.fast.body).result.data.created).toBe(false);
    const batchAgain = await both('intents.register?batch=1', JSON.stringify({ 0: JSON.parse(body) }), { authorization: `Bearer ${shopper}` });
    expect(batchAgain.fast).toEqual(batchAgain.plain);
    expect(JSON.parse(batchAgain.fast.body)).toHaveLength(1);
  });
});

describe('what the fast lane takes (the rest goes to tRPC’s handler)', () => {
  const json = { 'content-type': 'application/json' };
  it('takes one call, or a batch of one, with a JSON body', () => {
    expect(plainCall({ query: {}, body: '{"a":1}', headers: json })).toEqual({ input: { a: 1 }, batch: false });
    expect(plainCall({ query: { batch: '1' }, body: '{"0":{"a":1}}', headers: json })).toEqual({ input: { a: 1 }, batch: true });
  });
  it('leaves the rest: batches of several, other query parameters, other bodies and content types', () => {
    expect(plainCall({ query: { batch: '1' }, body: '{"0":{},"1":{}}', headers: json })).toBeNull();
    expect(plainCall({ query: { input: '{}' }, body: '{}', headers: json })).toBeNull();
    expect(plainCall({ query: { batch: 'true' }, body: '{"0":{}}', headers: json })).toBeNull();
    expect(plainCall({ query: {}, body: '{"id": ', headers: json })).toBeNull();
    expect(plainCall({ query: {}, body: 'null', headers: json })).toBeNull();
    expect(plainCall({ query: {}, body: '{}', headers: { 'content-type': 'text/plain' } })).toBeNull();
    expect(plainCall({ query: {}, body: { already: 'parsed' }, headers: json })).toBeNull();
    expect(plainCall({ query: { batch: '1' }, body: '{"0":{}}', headers: { ...json, 'trpc-accept': 'application/jsonl' } })).toBeNull();
  });
});
