import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { poolStatistics } from '../../core/pricing.ts';
import { poolDemand } from '../../server/domain/pools.ts';
import type { BusEvent } from '../../server/events/bus.ts';
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

describe.each(ENGINES)('demand computed in SQL on %s', (engine) => {
  const t = useTestDatabase(engine);

  it('equals the pure maths of core/pricing on random pools', async () => {
    const { db } = t.handle;
    const product = await db
      .insertInto('product')
      .values({ name: 'Reference', name_key: uniqueSuffix(), attr_key: '', gtin: null, brand: null, brand_key: null, mpn: null, mpn_key: null, image: null, merged_into: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (const [index, levelCount] of [1, 2, 3, 7, 50, 333, 1000].entries()) {
      const pool = await db
        .insertInto('pool')
        .values({ product_id: product.id, currency: 'EUR', region: `R${index}`.slice(0, 2).toUpperCase().padEnd(2, 'X'), merged_into: null })
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!pool) continue;
      // Distinct amounts, written with and without decimals ("12" and "12.50").
      const prices = new Map<string, string>();
      while (prices.size < levelCount) {
        const amount = (1 + random() * 500).toFixed(random() < 0.5 ? 2 : 0);
        prices.set(Number(amount).toFixed(2), amount);
      }
      const levels = [...prices.values()].map((price) => {
        const members = 1 + Math.floor(random() * 5);
        return { price, members, quantity: members + Math.floor(random() * 7) };
      });
      await db.insertInto('pool_price_level').values(levels.map((l) => ({ pool_id: pool.id, max_price: l.price, members: l.members, quantity: l.quantity }))).execute();
      const open = { members: index, quantity: index * 2 };
      const withOpen = { ...pool, open_members: open.members, open_quantity: open.quantity };
      for (const maxPoints of [2, 5, 200]) {
        const fromSql = await poolDemand(db, withOpen, maxPoints);
        expect(fromSql, `${levelCount} levels, ${maxPoints} points`).toEqual({ ...poolStatistics(levels, { open, maxPoints }), open });
      }
    }
    const empty = await poolDemand(db, { ...(await db.selectFrom('pool').selectAll().where('product_id', '=', product.id).executeTakeFirstOrThrow()), id: randomUUID() }, 10);
    expect(empty.curve).toEqual([]);
    expect(empty.quartiles).toEqual({ members: null, units: null });
  });
});
