import { randomUUID } from 'node:crypto';
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/http/server.ts';
import type { AppRouter } from '../../server/routers/_app.ts';
import { ENGINES, snapshot, useTestDatabase } from './helpers.ts';
import { refusalOf, refusalText } from '../../core/i18n/refusals.ts';

function client(url: string, token?: string, batch = true) {
  const headers = () => (token ? { authorization: `Bearer ${token}` } : {});
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // EventSource cannot send headers: the token goes in tRPC's connection params.
        true: httpSubscriptionLink({ url: `${url}/trpc`, EventSource, connectionParams: token ? { token } : null }),
        false: batch ? httpBatchLink({ url: `${url}/trpc`, headers }) : httpLink({ url: `${url}/trpc`, headers }),
      }),
    ],
  });
}

describe.each(ENGINES)('HTTP server on %s', (engine) => {
  const t = useTestDatabase(engine);
  let server: RunningServer;
  let limited: RunningServer;

  beforeAll(async () => {
    const env = { PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', BODY_LIMIT: 4096 } as const;
    server = await startServer({ database: t.handle, env: { ...env, RATE_PER_SEC: 1000, RATE_BURST: 1000 }, logger: false });
    limited = await startServer({ database: t.handle, env: { ...env, RATE_PER_SEC: 1, RATE_BURST: 5 }, logger: false });
  });
  afterAll(async () => {
    await server?.close();
    await limited?.close();
  });

  it('answers /health with the engine in use', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: engine });
  });

  it('runs a shopper through tRPC over HTTP, and streams a pool event over SSE', async () => {
    const anonymous = client(server.url);
    const { token } = await anonymous.identity.createShopper.mutate();
    const shopper = client(server.url, token);
    expect(await shopper.identity.me.query()).toMatchObject({ role: 'shopper' });

    const page = snapshot();
    const first = await shopper.intents.register.mutate({ id: randomUUID(), snapshot: page, quantity: 1, maxPrice: '150', currency: 'EUR', region: 'FR' });

    const events: Array<{ id: string; memberCount: number }> = [];
    let resolveEvent!: () => void;
    const gotEvent = new Promise<void>((resolve) => (resolveEvent = resolve));
    let started!: () => void;
    const isStarted = new Promise<void>((resolve) => (started = resolve));
    const subscription = shopper.pools.onChange.subscribe(
      { poolId: first.pool.id },
      {
        onStarted: () => started(),
        onData: (envelope) => {
          const payload = envelope.data.payload as { memberCount: number };
          events.push({ id: envelope.id, memberCount: payload.memberCount });
          if (payload.memberCount === 2) resolveEvent();
        },
        onError: (error) => {
          throw error;
        },
      },
    );
    await isStarted;
    const other = client(server.url, (await anonymous.identity.createShopper.mutate()).token);
    await other.intents.register.mutate({ id: randomUUID(), productId: first.intent.productId, quantity: 3, currency: 'EUR', region: 'FR' });
    await gotEvent;
    subscription.unsubscribe();
    const last = events[events.length - 1]!;
    expect(last.memberCount).toBe(2);
    expect(last.id).toMatch(/^\d+$/);
  });

  it('accepts queries sent as POST, so a product page never travels in a URL', async () => {
    const { token } = await client(server.url).identity.createShopper.mutate();
    const post = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${server.url}/trpc`, methodOverride: 'POST', headers: { authorization: `Bearer ${token}` } })],
    });
    const view = await post.products.lookup.query({ snapshot: snapshot() });
    expect(view.product).toBeNull();
  });

  it('refuses a subscription without a valid token', async () => {
    const error = await new Promise<unknown>((resolve) => {
      const sub = client(server.url, 'shp_' + 'x'.repeat(43)).pools.onChange.subscribe({}, {
        onError: (e) => {
          sub.unsubscribe();
          resolve(e);
        },
        onData: () => resolve(null),
      });
    });
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
  });

  it('returns clear tRPC errors for bad input: one sentence plus the flattened fields', async () => {
    const { token } = await client(server.url).identity.createShopper.mutate();
    const error = await client(server.url, token)
      .intents.register.mutate({ id: randomUUID(), snapshot: snapshot(), quantity: 0, currency: 'eur', region: 'FR' })
      .then(
        () => {
          throw new Error('bad input was accepted');
        },
        (e: unknown) => e as TRPCClientError<AppRouter>,
      );
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.httpStatus).toBe(400);
    expect(error.message).toMatch(/^Invalid input: /);
    expect(error.message).toContain('a quantity is at least 1');
    expect(error.message).toContain('ISO 4217');
    expect(error.data?.zodError?.fieldErrors).toHaveProperty('quantity');
    // The refusal's key, so that the extension and the dashboard say it in their user's language.
    expect(error.data?.refusal?.key).toBe('invalidInput');
    expect(refusalText(refusalOf(error)!, 'fr')).toMatch(/^Le serveur a refusé ces données comme non valides : .*ISO 4217/s);
    // No stack trace leaves the server.
    expect(JSON.stringify(error.shape)).not.toContain('.ts:');
  });

  it('limits the body size', async () => {
    const response = await fetch(`${server.url}/trpc/intents.register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(8192) }),
    });
    expect(response.status).toBe(413);
  });

  it('rate-limits per token with TOO_MANY_REQUESTS, each token on its own bucket', async () => {
    const a = client(limited.url, (await client(limited.url).identity.createShopper.mutate()).token, false);
    const b = client(limited.url, (await client(limited.url).identity.createShopper.mutate()).token, false);
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      codes.push(await a.system.ping.query().then(() => 'OK', (e: TRPCClientError<AppRouter>) => e.data?.code ?? 'ERR'));
    }
    expect(codes.slice(0, 5)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
    expect(codes.slice(5)).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    const refused = await a.system.ping.query().catch((e: unknown) => e);
    expect(refusalOf(refused)).toEqual({ key: 'tooManyRequests', params: {} });
    expect(refusalText(refusalOf(refused)!, 'fr')).toBe('Trop de requêtes : ralentissez, puis réessayez dans un instant.');
    const raw = await fetch(`${limited.url}/trpc/system.ping`, { headers: { authorization: 'Bearer nonsense' } });
    // Anonymous callers share their address's bucket (spent by the two sign-ups above, not yet empty).
    expect([200, 429]).toContain(raw.status);
    expect(await b.system.ping.query()).toEqual({ ok: true });
  });
});
