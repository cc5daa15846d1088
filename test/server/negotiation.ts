import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { Tier } from '../../core/deal.ts';
import { DealEngine } from '../../server/domain/deal-engine.ts';
import type { BusEvent } from '../../server/events/bus.ts';
import { snapshot, type Caller, type Harness, type TestDatabase } from './helpers.ts';

/** Builds campaigns, bids and deals through the API, as the dashboard and the supplier page would. */

export interface Member {
  caller: Caller;
  shopperId: string;
  intentId: string;
}

export function useDealEngine(t: TestDatabase, h: Harness, sweepMs = 200): { readonly engine: DealEngine } {
  let engine: DealEngine | undefined;
  beforeAll(async () => {
    engine = new DealEngine(t.handle.db, h.bus, { sweepMs });
    await engine.start();
  });
  afterAll(async () => {
    await engine?.stop();
  });
  return {
    get engine() {
      if (!engine) throw new Error('engine not ready');
      return engine;
    },
  };
}

/** A product with a pool of `quantities.length` members (one intent each), created through intents.register. */
export async function poolWithMembers(
  h: Harness,
  quantities: number[],
  options: { name?: string; maxPrice?: string | null } = {},
): Promise<{ productId: string; poolId: string; members: Member[] }> {
  const first = await h.shopper();
  const page = snapshot(options.name ? { name: options.name } : {});
  const intentId = randomUUID();
  const joined = await first.caller.intents.register({
    id: intentId,
    snapshot: page,
    quantity: quantities[0] ?? 1,
    maxPrice: options.maxPrice ?? null,
    currency: 'EUR',
    region: 'FR',
  });
  const members: Member[] = [{ caller: first.caller, shopperId: first.shopperId, intentId }];
  const productId = joined.intent.productId;
  const rest = await Promise.all(
    quantities.slice(1).map(async (quantity) => {
      const s = await h.shopper();
      const id = randomUUID();
      await s.caller.intents.register({ id, productId, quantity, maxPrice: options.maxPrice ?? null, currency: 'EUR', region: 'FR' });
      return { caller: s.caller, shopperId: s.shopperId, intentId: id };
    }),
  );
  return { productId, poolId: joined.pool.id, members: [...members, ...rest] };
}

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** An open campaign on `poolId` with one invited supplier who bid `tiers`. */
export async function campaignWithBid(h: Harness, poolId: string, tiers: Tier[], options: { category?: string } = {}) {
  const org = await h.organiser();
  const campaign = await org.caller.campaigns.create({ poolId, targetPrice: '150', deadline: inDays(10), organiserMargin: '5%', ...options });
  await org.caller.campaigns.open({ campaignId: campaign.id });
  const invitation = await org.caller.campaigns.inviteSupplier({ campaignId: campaign.id, supplierName: 'Fournisseur SA' });
  const supplier = h.caller({ role: 'supplier', invitationId: invitation.invitationId, campaignId: campaign.id });
  const bid = await supplier.bids.submit({ tiers, validUntil: inDays(20), conditions: 'Livraison sous 3 semaines' });
  return { org, campaign, invitation, supplier, bid };
}

/** The latest event id: subscribe with it as lastEventId so nothing committed after this moment is missed. */
export async function lastEventId(t: TestDatabase): Promise<string> {
  const row = await t.handle.db.selectFrom('event').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow();
  return String(row.id ?? 0);
}

/** Waits until `check` returns a value (polling), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Collects events of a subscription iterator until `count` arrived or the timeout. */
export async function collect<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 5000): Promise<T[]> {
  const out: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))),
    ]);
    if (next === 'timeout' || next.done) break;
    out.push(next.value);
  }
  return out;
}

/** A subscription's next values, unwrapped from tRPC's tracked envelopes ([id, data, symbol]). */
export function subscriptionIterator<T>(iterable: unknown): AsyncIterator<{ id: string; data: T }> {
  // A caller's subscription is a promise of an async iterable.
  const inner = Promise.resolve(iterable).then((i) => (i as AsyncIterable<unknown>)[Symbol.asyncIterator]());
  return {
    async next() {
      const r = await (await inner).next();
      if (r.done) return { done: true, value: undefined };
      const v = r.value as [string, T] | T;
      return { done: false, value: Array.isArray(v) ? { id: String(v[0]), data: v[1] as T } : { id: '', data: v as T } };
    },
    async return() {
      // Not awaited: an async generator queues return() behind a pending next(), which may never settle.
      void inner.then((i) => i.return?.()).catch(() => {});
      return { done: true, value: undefined };
    },
  };
}

export type { BusEvent };
