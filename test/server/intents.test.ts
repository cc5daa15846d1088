import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { codeOf, ENGINES, snapshot, useHarness, useTestDatabase } from './helpers.ts';

describe.each(ENGINES)('intents on %s', (engine) => {
  const t = useTestDatabase(engine);
  const h = useHarness(t);

  it('registers from a product page: product, listing, observation, pool, event', async () => {
    const { caller, shopperId } = await h.shopper();
    const page = snapshot({ price: '249.90' });
    const id = randomUUID();
    const result = await caller.intents.register({ id, snapshot: page, quantity: 2, maxPrice: '230', currency: 'EUR', region: 'FR' });
    expect(result.created).toBe(true);
    expect(result.intent).toMatchObject({ id, quantity: 2, maxPrice: '230', currency: 'EUR', region: 'FR', status: 'live' });
    expect(result.pool).toMatchObject({ memberCount: 1, totalQuantity: 2, currency: 'EUR', region: 'FR' });

    const { db } = t.handle;
    const listing = await db.selectFrom('listing').selectAll().where('product_id', '=', result.intent.productId).executeTakeFirstOrThrow();
    expect(listing).toMatchObject({ retailer: 'shop-a.example.fr', url: page.url, latest_price: '249.90' });
    const observations = await db.selectFrom('observation').selectAll().where('listing_id', '=', listing.id).execute();
    expect(observations.map((o) => [o.price, o.source])).toEqual([['249.90', 'join']]);
    const intent = await db.selectFrom('intent').select('shopper_id').where('id', '=', id).executeTakeFirstOrThrow();
    expect(intent.shopper_id).toBe(shopperId);
    const events = await db.selectFrom('event').selectAll().where('topic', '=', `pool:${result.pool.id}`).execute();
    expect(events.map((e) => e.type)).toEqual(['pool.changed']);
  });

  it('is idempotent by the client id: retries, sequential or concurrent, create one intent', async () => {
    const { caller } = await h.shopper();
    const input = { id: randomUUID(), snapshot: snapshot(), quantity: 1, maxPrice: null, currency: 'EUR', region: 'FR' };
    const first = await caller.intents.register(input);
    const again = await caller.intents.register(input);
    expect(again.created).toBe(false);
    expect(again.intent).toEqual(first.intent);
    expect(again.pool.memberCount).toBe(1);

    const other = await h.shopper();
    const concurrent = { ...input, id: randomUUID(), snapshot: snapshot() };
    const results = await Promise.all(Array.from({ length: 8 }, () => other.caller.intents.register(concurrent)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const rows = await t.handle.db.selectFrom('intent').select('id').where('id', '=', concurrent.id).execute();
    expect(rows).toHaveLength(1);
    const pool = await t.handle.db.selectFrom('pool').selectAll().where('id', '=', results[0]!.pool.id).executeTakeFirstOrThrow();
    expect(pool.member_count).toBe(1);
  });

  it('writes joins that arrive together in one statement, each with its own effects and answer', async () => {
    const first = await (await h.shopper()).caller.intents.register({ id: randomUUID(), snapshot: snapshot(), quantity: 1, currency: 'EUR', region: 'FR' });
    const productId = first.intent.productId;
    const shoppers = await Promise.all(Array.from({ length: 12 }, () => h.shopper()));
    const eventsBefore = await t.handle.db.selectFrom('event').select('id').where('topic', '=', `pool:${first.pool.id}`).execute();
    // Twelve shoppers join at once (two max prices, or none).
    const joins = shoppers.map(({ caller }, k) =>
      caller.intents.register({ id: randomUUID(), productId, quantity: 1 + (k % 3), maxPrice: k % 3 === 0 ? null : k % 2 ? '80' : '90', currency: 'EUR', region: 'FR' }),
    );
    const results = await Promise.all(joins);
    expect(results.every((r) => r.created && r.pool.id === first.pool.id)).toBe(true);
    const pool = await t.handle.db.selectFrom('pool').selectAll().where('id', '=', first.pool.id).executeTakeFirstOrThrow();
    expect(pool.member_count).toBe(13);
    expect(Number(pool.total_quantity)).toBe(1 + results.reduce((sum, r) => sum + r.intent.quantity, 0));
    expect(pool.open_members).toBe(1 + results.filter((r) => r.intent.maxPrice === null).length);
    // Price levels as if each had joined alone.
    const levels = await t.handle.db.selectFrom('pool_price_level').select(['max_price', 'members', 'quantity']).where('pool_id', '=', pool.id).orderBy('max_price').execute();
    const expected = (price: string) => results.filter((r) => r.intent.maxPrice === price);
    expect(levels.map((l) => [Number(l.max_price), l.members, Number(l.quantity)])).toEqual(
      ['80', '90'].map((price) => [Number(price), expected(price).length, expected(price).reduce((sum, r) => sum + r.intent.quantity, 0)]),
    );
    // Every answer's pool is at least as full as the pool after its own join; the last one saw everyone.
    expect(Math.max(...results.map((r) => r.pool.memberCount))).toBe(13);
    // One event per statement, not per join: fewer events than joins shows they shared statements.
    const eventsAfter = await t.handle.db.selectFrom('event').select('id').where('topic', '=', `pool:${first.pool.id}`).execute();
    expect(eventsAfter.length - eventsBefore.length).toBeGreaterThanOrEqual(1);
    expect(eventsAfter.length - eventsBefore.length).toBeLessThan(12);

    // A join that fails its statement (a second live intent of one shopper) fails alone: the others go in.
    const again = await Promise.all(Array.from({ length: 3 }, () => h.shopper()));
    const attempts = await Promise.all([
      ...again.map(({ caller }) => codeOf(caller.intents.register({ id: randomUUID(), productId, quantity: 1, maxPrice: null, currency: 'EUR', region: 'FR' }))),
      codeOf(shoppers[0]!.caller.intents.register({ id: randomUUID(), productId, quantity: 1, maxPrice: null, currency: 'EUR', region: 'FR' })),
    ]);
    expect(attempts).toEqual(['OK', 'OK', 'OK', 'CONFLICT']);
    const after = await t.handle.db.selectFrom('pool').select('member_count').where('id', '=', first.pool.id).executeTakeFirstOrThrow();
    expect(after.member_count).toBe(16);
  });

  it('is idempotent on the one-statement path too (joining a known product by id)', async () => {
    const first = await (await h.shopper()).caller.intents.register({ id: randomUUID(), snapshot: snapshot(), quantity: 1, currency: 'EUR', region: 'FR' });
    const { caller } = await h.shopper();
    const input = { id: randomUUID(), productId: first.intent.productId, quantity: 2, maxPrice: '99.90', currency: 'EUR', region: 'FR' };
    const results = await Promise.all(Array.from({ length: 6 }, () => caller.intents.register(input)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    for (const r of results) expect(r.intent).toMatchObject({ id: input.id, quantity: 2, maxPrice: '99.90', poolId: first.pool.id });
    const pool = await caller.pools.demand({ poolId: first.pool.id });
    expect(pool).toMatchObject({ memberCount: 2, totalQuantity: 3 });
    // The first member gave no max price: counted at every price.
    expect(pool.curve).toEqual([{ price: '99.9', members: 2, quantity: 3 }]);
    const second = caller.intents.register({ ...input, id: randomUUID() });
    expect(await codeOf(second)).toBe('CONFLICT');
    expect((await caller.pools.demand({ poolId: first.pool.id })).memberCount).toBe(2);
  });

  it('answers racing retries as retries, never as a second intent (many rounds: the race is narrow)', async () => {
    // On PostgreSQL the index of live intents can see a twin attempt before the id's own index does; that
    // must still read as a retry. 100 shoppers in turn, each with 6 simultaneous attempts of one id.
    const first = await (await h.shopper()).caller.intents.register({ id: randomUUID(), snapshot: snapshot(), quantity: 1, currency: 'EUR', region: 'FR' });
    const wrong: string[][] = [];
    for (let round = 0; round < 100; round++) {
      const { caller } = await h.shopper();
      const input = { id: randomUUID(), productId: first.intent.productId, quantity: 1, maxPrice: '10', currency: 'EUR', region: 'FR' };
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => caller.intents.register(input)));
      const answers = results.map((r) => (r.status === 'fulfilled' ? (r.value.created ? 'created' : 'retry') : String(r.reason)));
      if (answers.filter((a) => a === 'created').length !== 1 || answers.some((a) => a !== 'created' && a !== 'retry')) wrong.push(answers);
    }
    expect(wrong).toEqual([]);
    expect((await (await h.shopper()).caller.pools.demand({ poolId: first.pool.id })).memberCount).toBe(101);
  });

  it('refuses a second live intent for the same product, and another shopper reusing an id', async () => {
    const { caller } = await h.shopper();
    const page = snapshot();
    const first = await caller.intents.register({ id: randomUUID(), snapshot: page, quantity: 1, currency: 'EUR', region: 'FR' });
    const second = caller.intents.register({ id: randomUUID(), snapshot: page, quantity: 3, currency: 'EUR', region: 'BE' });
    expect(await codeOf(second)).toBe('CONFLICT');
    const stranger = await h.shopper();
    expect(await codeOf(stranger.caller.intents.register({ id: first.intent.id, productId: first.intent.productId, quantity: 1, currency: 'EUR', region: 'FR' }))).toBe('CONFLICT');
    // After withdrawing, joining again is allowed (the constraint covers live intents only).
    await caller.intents.withdraw({ id: first.intent.id });
    const again = await caller.intents.register({ id: randomUUID(), productId: first.intent.productId, quantity: 3, currency: 'EUR', region: 'FR' });
    expect(again.pool.memberCount).toBe(1);
    expect(again.pool.totalQuantity).toBe(3);
  });

  it('enforces one live intent per shopper and product in the database itself', async () => {
    const { caller, shopperId } = await h.shopper();
    const first = await caller.intents.register({ id: randomUUID(), snapshot: snapshot(), quantity: 1, currency: 'EUR', region: 'FR' });
    const row = await t.handle.db.selectFrom('intent').selectAll().where('id', '=', first.intent.id).executeTakeFirstOrThrow();
    const insert = t.handle.db.insertInto('intent').values({ ...row, id: randomUUID(), shopper_id: shopperId }).execute();
    await expect(insert).rejects.toThrow(/intent_one_live|duplicate key/);
  });

  it('updates and withdraws, keeping the pool aggregates exact', async () => {
    const a = await h.shopper();
    const b = await h.shopper();
    const page = snapshot();
    const ia = await a.caller.intents.register({ id: randomUUID(), snapshot: page, quantity: 2, maxPrice: '100', currency: 'EUR', region: 'FR' });
    const ib = await b.caller.intents.register({ id: randomUUID(), snapshot: { ...page, retailer: 'shop-b.example.fr', url: 'https://shop-b.example.fr/x' }, quantity: 1, maxPrice: '120.50', currency: 'EUR', region: 'FR' });
    expect(ib.pool.id).toBe(ia.pool.id);
    expect(ib.pool).toMatchObject({ memberCount: 2, totalQuantity: 3 });

    const updated = await a.caller.intents.update({ id: ia.intent.id, quantity: 5, maxPrice: '90' });
    expect(updated.intent).toMatchObject({ quantity: 5, maxPrice: '90' });
    expect(updated.pool).toMatchObject({ memberCount: 2, totalQuantity: 6 });
    const demand = await a.caller.pools.demand({ poolId: ia.pool.id });
    expect(demand.curve).toEqual([
      { price: '120.5', members: 1, quantity: 1 },
      { price: '90', members: 2, quantity: 6 },
    ]);

    // Removing the max price: the member now counts at every price.
    await a.caller.intents.update({ id: ia.intent.id, maxPrice: null });
    const open = await a.caller.pools.demand({ poolId: ia.pool.id });
    expect(open.open).toEqual({ members: 1, quantity: 5 });
    expect(open.curve).toEqual([{ price: '120.5', members: 2, quantity: 6 }]);

    const withdrawn = await b.caller.intents.withdraw({ id: ib.intent.id });
    expect(withdrawn.intent.status).toBe('withdrawn');
    expect(withdrawn.pool).toMatchObject({ memberCount: 1, totalQuantity: 5 });
    // Idempotent: withdrawing again changes nothing.
    const twice = await b.caller.intents.withdraw({ id: ib.intent.id });
    expect(twice.pool).toMatchObject({ memberCount: 1, totalQuantity: 5 });
    expect(await codeOf(b.caller.intents.update({ id: ib.intent.id, quantity: 2 }))).toBe('PRECONDITION_FAILED');
    // Someone else's intent is not found, not forbidden: no hint that it exists.
    expect(await codeOf(b.caller.intents.withdraw({ id: ia.intent.id }))).toBe('NOT_FOUND');

    const levels = await t.handle.db.selectFrom('pool_price_level').selectAll().where('pool_id', '=', ia.pool.id).execute();
    expect(levels).toEqual([]);
    const mine = await a.caller.intents.mine();
    expect(mine.map((i) => i.id)).toEqual([ia.intent.id]);
  });

  it('rejects out-of-bounds input with BAD_REQUEST and stores nothing', async () => {
    const { caller } = await h.shopper();
    const page = snapshot();
    const base = { id: randomUUID(), snapshot: page, quantity: 1, currency: 'EUR', region: 'FR' };
    const bad: Array<[string, unknown]> = [
      ['quantity 0', { ...base, quantity: 0 }],
      ['quantity too large', { ...base, quantity: 1_000_000 }],
      ['fractional quantity', { ...base, quantity: 1.5 }],
      ['negative price', { ...base, maxPrice: '-5' }],
      ['zero price', { ...base, maxPrice: '0.00' }],
      ['float price', { ...base, maxPrice: 12.5 }],
      ['lower-case currency', { ...base, currency: 'eur' }],
      ['region', { ...base, region: 'France' }],
      ['id', { ...base, id: 'not-a-uuid' }],
      ['name too long', { ...base, snapshot: { ...page, name: 'x'.repeat(501) } }],
      ['javascript url', { ...base, snapshot: { ...page, url: 'javascript:alert(1)' } }],
      ['both snapshot and product id', { ...base, productId: randomUUID() }],
      ['neither snapshot nor product id', { ...base, snapshot: undefined }],
    ];
    for (const [label, input] of bad) {
      const error = await caller.intents
        .register(input as never)
        .then(() => null)
        .catch((e: { code: string; message: string }) => e);
      expect(error?.code, label).toBe('BAD_REQUEST');
      // Over HTTP the errorFormatter turns this into one readable sentence (see http.test.ts).
      expect(error?.message, label).toMatch(/expected|quantity|price|give either|Invalid/);
    }
    expect(await codeOf(caller.intents.register({ ...base, snapshot: undefined, productId: randomUUID() }))).toBe('NOT_FOUND');
    const products = await t.handle.db.selectFrom('listing').select('id').where('url', '=', page.url).execute();
    expect(products).toEqual([]);
  });

  it('rolls back everything when a step fails half-way (nothing partial is stored)', async () => {
    const { caller } = await h.shopper();
    const page = snapshot();
    const id = randomUUID();
    // Make the pool insert fail after product and listing were written in the same transaction.
    await t.handle.db.schema.alterTable('pool').addCheckConstraint('test_no_xx', sql`region <> 'XX'`).execute();
    try {
      expect(await codeOf(caller.intents.register({ id, snapshot: page, quantity: 1, currency: 'EUR', region: 'XX' }))).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await t.handle.db.schema.alterTable('pool').dropConstraint('test_no_xx').execute();
    }
    expect(await t.handle.db.selectFrom('listing').select('id').where('url', '=', page.url).execute()).toEqual([]);
    expect(await t.handle.db.selectFrom('product').select('id').where('name', '=', page.name).execute()).toEqual([]);
    expect(await t.handle.db.selectFrom('intent').select('id').where('id', '=', id).execute()).toEqual([]);
  });
});
