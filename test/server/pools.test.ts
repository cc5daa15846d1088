import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../../server/events.ts';
import { ENGINES, snapshot, uniqueSuffix, useHarness, useTestDatabase } from './helpers.ts';

describe.each(ENGINES)('pools on %s', (engine) => {
  const t = useTestDatabase(engine);
  const h = useHarness(t);

  it('gives the demand curve and price quartiles of a pool', async () => {
    const page = snapshot();
    const maxPrices = ['80', '100.00', '100', '120.5', null];
    const quantities = [1, 2, 1, 2, 4];
    let poolId = '';
    for (let i = 0; i < maxPrices.length; i++) {
      const s = await h.shopper();
      const r = await s.caller.intents.register({ id: randomUUID(), snapshot: page, quantity: quantities[i]!, maxPrice: maxPrices[i] ?? null, currency: 'EUR', region: 'FR' });
      poolId = r.pool.id;
    }
    const org = await h.organiser();
    const pool = await org.caller.pools.get({ poolId });
    expect(pool).toMatchObject({ memberCount: 5, totalQuantity: 10, open: { members: 1, quantity: 4 } });
    expect(pool.curve).toEqual([
      { price: '120.5', members: 2, quantity: 6 },
      { price: '100', members: 4, quantity: 9 },
      { price: '80', members: 5, quantity: 10 },
    ]);
    expect(pool.quartiles.members).toEqual({ count: 4, min: '80', q1: '80', median: '100', q3: '100', max: '120.5' });
    expect(pool.quartiles.units?.count).toBe(6);
    expect(pool.product.name).toBe(page.name);
    expect(pool.competitors).toHaveLength(1);
  });

  it('ranks pools by demand, with filters', async () => {
    const tag = uniqueSuffix();
    const sizes: Array<[string, string, number]> = [
      ['EUR', 'FR', 7],
      ['EUR', 'BE', 3],
      ['GBP', 'GB', 12],
      ['EUR', 'FR', 5],
    ];
    const poolIds: string[] = [];
    for (const [currency, region, quantity] of sizes) {
      const s = await h.shopper();
      const r = await s.caller.intents.register({ id: randomUUID(), snapshot: snapshot({ name: `Rankable ${tag} R${poolIds.length}X`, brand: `Brand${tag}` }), quantity, currency, region });
      poolIds.push(r.pool.id);
    }
    const org = await h.organiser();
    const all = await org.caller.pools.ranked({ search: tag, limit: 10 });
    expect(all.map((p) => p.totalQuantity)).toEqual([12, 7, 5, 3]);
    expect(all[0]?.product.name).toContain(tag);
    const fr = await org.caller.pools.ranked({ search: tag, currency: 'EUR', region: 'FR' });
    expect(fr.map((p) => p.id)).toEqual([poolIds[0], poolIds[3]]);
    const byBrand = await org.caller.pools.ranked({ brand: `brand${tag}`, limit: 2 });
    expect(byBrand.map((p) => p.totalQuantity)).toEqual([12, 7]);
    const page2 = await org.caller.pools.ranked({ search: tag, limit: 2, offset: 2 });
    expect(page2.map((p) => p.totalQuantity)).toEqual([5, 3]);
    expect(await org.caller.pools.ranked({ search: `${tag}-nothing` })).toEqual([]);
    // LIKE wildcards in a search are literal characters.
    expect(await org.caller.pools.ranked({ search: '%' })).toEqual([]);
  });

  it('streams pool events to subscribers and replays what a reconnecting one missed', async () => {
    const s = await h.shopper();
    const first = await s.caller.intents.register({ id: randomUUID(), snapshot: snapshot(), quantity: 1, currency: 'EUR', region: 'FR' });
    const poolId = first.pool.id;
    const stream = await s.caller.pools.onChange({ poolId });
    const iterator = stream[Symbol.asyncIterator]();
    const next = iterator.next();
    const other = await h.shopper();
    await other.caller.intents.register({ id: randomUUID(), productId: first.intent.productId, quantity: 4, currency: 'EUR', region: 'FR' });
    // tracked(): [id, data] envelopes. On PostgreSQL the first join's notification may still be in flight
    // when the subscription starts: skip it.
    type Envelope = [string, BusEvent<{ memberCount: number; reason: string }>];
    let envelope = (await next).value as unknown as Envelope;
    if (envelope[1].payload.memberCount === 1) envelope = (await iterator.next()).value as unknown as Envelope;
    const [id, event] = envelope;
    expect(event.payload).toMatchObject({ memberCount: 2, totalQuantity: 5, reason: 'join' });
    expect(event.id).toBe(Number(id));
    await iterator.return?.();

    // Changes while disconnected, then a resume from the last id seen: only what followed arrives.
    await other.caller.intents.update({ id: (await other.caller.intents.mine())[0]!.id, quantity: 6 });
    const again = await s.caller.pools.onChange({ poolId, lastEventId: id });
    const it2 = again[Symbol.asyncIterator]();
    const replayed = (await it2.next()).value as unknown as [string, BusEvent<{ totalQuantity: number; reason: string }>];
    expect(Number(replayed[0])).toBeGreaterThan(Number(id));
    expect(replayed[1].payload).toMatchObject({ totalQuantity: 7, reason: 'update' });
    await it2.return?.();
  });
});
