import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { liveProduct } from '../../server/domain/products.ts';
import { ENGINES, gtin13, randomGtin, snapshot, uniqueSuffix, useHarness, useTestDatabase } from './helpers.ts';

describe.each(ENGINES)('products, listings and observations on %s', (engine) => {
  const t = useTestDatabase(engine);
  const h = useHarness(t);

  it('pools one product across shops by GTIN, written as UPC-A on one and EAN-13 on the other', async () => {
    const upcBody = `0${Date.now().toString().slice(-10)}`; // 11 digits
    let sum = 0;
    for (let i = 0; i < 11; i++) sum += Number(upcBody[i]) * (i % 2 === 0 ? 3 : 1);
    const upc = `${upcBody}${(10 - (sum % 10)) % 10}`;
    const a = await h.shopper();
    const b = await h.shopper();
    const ra = await a.caller.intents.register({
      id: randomUUID(),
      snapshot: snapshot({ gtin: upc, name: 'Apple AirPods Pro 2 USB-C', brand: 'Apple', mpn: null, retailer: 'shop-us.example.com', url: 'https://shop-us.example.com/airpods', price: '249.00', currency: 'EUR' }),
      quantity: 1,
      currency: 'EUR',
      region: 'FR',
    });
    const rb = await b.caller.intents.register({
      id: randomUUID(),
      snapshot: snapshot({ gtin: `0${upc}`, name: 'AirPods Pro (2e génération) boîtier USB‑C', brand: 'APPLE', mpn: null, retailer: 'www.shop-fr.example.fr', url: 'https://www.shop-fr.example.fr/a', price: '229.99' }),
      quantity: 2,
      currency: 'EUR',
      region: 'FR',
    });
    expect(rb.intent.productId).toBe(ra.intent.productId);
    expect(rb.pool).toMatchObject({ id: ra.pool.id, memberCount: 2, totalQuantity: 3 });
    const product = await a.caller.products.get({ productId: ra.intent.productId });
    expect(product.product.gtin).toBe(`00${upc}`);
    expect(product.competitors.map((c) => [c.retailer, c.price])).toEqual([
      ['shop-fr.example.fr', '229.99'],
      ['shop-us.example.com', '249.00'],
    ]);
  });

  it('matches brand + MPN across shops, and keeps near misses apart', async () => {
    const suffix = uniqueSuffix();
    const s = await h.shopper();
    const one = await s.caller.products.sharePrice({
      snapshot: snapshot({ brand: 'Sony', mpn: `WH-${suffix}/B`, name: `Sony WH-${suffix} noir`, retailer: 'shop-a.example.fr' }),
    });
    const two = await s.caller.products.sharePrice({
      snapshot: snapshot({ brand: 'SONY', mpn: `WH${suffix}B`, name: `Casque Sony ${suffix} Black`, retailer: 'shop-b.example.fr', price: '189.00' }),
    });
    expect(two.productId).toBe(one.productId);

    const base = { brand: 'Zorblax', mpn: null, gtin: null };
    const black = await s.caller.products.sharePrice({ snapshot: snapshot({ ...base, name: `Zorblax Phone Q${suffix} 128 Go Noir` }) });
    const blackAgain = await s.caller.products.sharePrice({ snapshot: snapshot({ ...base, name: `Zorblax Phone Q${suffix} 128GB Black`, retailer: 'shop-b.example.fr' }) });
    const bigger = await s.caller.products.sharePrice({ snapshot: snapshot({ ...base, name: `Zorblax Phone Q${suffix} 256 Go Noir` }) });
    const blue = await s.caller.products.sharePrice({ snapshot: snapshot({ ...base, name: `Zorblax Phone Q${suffix} 128 Go Bleu` }) });
    const older = await s.caller.products.sharePrice({ snapshot: snapshot({ ...base, name: `Zorblax Phone Q${suffix} 128 Go Noir 2023` }) });
    expect(blackAgain.productId).toBe(black.productId);
    expect(new Set([black.productId, bigger.productId, blue.productId, older.productId]).size).toBe(4);
  });

  it('merges two products when a GTIN shows they are one: listings, pools and intents move', async () => {
    const suffix = uniqueSuffix();
    const gtin = randomGtin();
    const { db } = t.handle;
    const s1 = await h.shopper();
    const s2 = await h.shopper();
    // Shop A knows the MPN but no GTIN; shop B knows the GTIN but names it vaguely: two products.
    const pageA = snapshot({ brand: 'Zorblax', mpn: `ZB-${suffix}`, gtin: null, name: `Zorblax ZB-${suffix} casque`, retailer: 'shop-a.example.fr', url: `https://shop-a.example.fr/${suffix}`, price: '100.00' });
    const pageB = snapshot({ brand: 'Zorblax', mpn: null, gtin, name: 'Zorblax casque sans fil', retailer: 'shop-b.example.fr', url: `https://shop-b.example.fr/${suffix}`, price: '95.00' });
    const s1a = await s1.caller.intents.register({ id: randomUUID(), snapshot: pageA, quantity: 1, maxPrice: '90', currency: 'EUR', region: 'FR' });
    const s1b = await s1.caller.intents.register({ id: randomUUID(), snapshot: pageB, quantity: 3, maxPrice: '85', currency: 'EUR', region: 'FR' });
    const s2b = await s2.caller.intents.register({ id: randomUUID(), snapshot: pageB, quantity: 2, maxPrice: null, currency: 'EUR', region: 'FR' });
    const s2a = await s2.caller.intents.register({ id: randomUUID(), snapshot: pageA, quantity: 4, currency: 'EUR', region: 'BE' }).catch(() => null);
    expect(s2a).not.toBeNull();
    expect(s1a.intent.productId).not.toBe(s1b.intent.productId);

    // Shop C shows both the GTIN and the MPN: the evidence that they are one product.
    const pageC = snapshot({ brand: 'Zorblax', mpn: `ZB${suffix}`, gtin, name: `Zorblax ZB${suffix}`, retailer: 'shop-c.example.fr', url: `https://shop-c.example.fr/${suffix}`, price: '97.50' });
    const shared = await s1.caller.products.sharePrice({ snapshot: pageC });
    const target = s1b.intent.productId; // the product holding the GTIN survives
    expect(shared.productId).toBe(target);

    const from = await db.selectFrom('product').selectAll().where('id', '=', s1a.intent.productId).executeTakeFirstOrThrow();
    expect(from.merged_into).toBe(target);
    expect((await liveProduct(db, s1a.intent.productId))?.id).toBe(target);
    const merged = await db.selectFrom('product').selectAll().where('id', '=', target).executeTakeFirstOrThrow();
    expect(merged.mpn_key).toBe(`ZB${suffix}`.toUpperCase());

    const listings = await db.selectFrom('listing').select('retailer').where('product_id', '=', target).orderBy('retailer').execute();
    expect(listings.map((l) => l.retailer)).toEqual(['shop-a.example.fr', 'shop-b.example.fr', 'shop-c.example.fr']);

    // Each shopper wanted it twice: one live intent remains, the most recent (s1: shop B in FR; s2: shop A in BE).
    const s1Live = await db.selectFrom('intent').selectAll().where('shopper_id', '=', s1.shopperId).where('status', '=', 'live').execute();
    expect(s1Live.map((i) => i.id)).toEqual([s1b.intent.id]);
    const s1Merged = await db.selectFrom('intent').select(['id', 'status']).where('id', '=', s1a.intent.id).executeTakeFirstOrThrow();
    expect(s1Merged.status).toBe('merged');

    const frPool = await s1.caller.pools.get({ poolId: s1b.pool.id });
    expect(frPool).toMatchObject({ productId: target, memberCount: 1, totalQuantity: 3 });
    expect(frPool.open).toEqual({ members: 0, quantity: 0 });
    expect(frPool.curve).toEqual([{ price: '85', members: 1, quantity: 3 }]);
    // The old FR pool of product A now answers as the merged pool.
    const oldPool = await s1.caller.pools.get({ poolId: s1a.pool.id });
    expect(oldPool.id).toBe(s1b.pool.id);
    const bePool = await db.selectFrom('pool').selectAll().where('id', '=', s2a!.pool.id).executeTakeFirstOrThrow();
    expect(bePool).toMatchObject({ product_id: target, member_count: 1, total_quantity: 4, merged_into: null });
    const s2Live = await db.selectFrom('intent').select(['id', 'product_id']).where('shopper_id', '=', s2.shopperId).where('status', '=', 'live').execute();
    expect(s2Live.map((i) => i.id)).toEqual([s2a!.intent.id]);
    expect((await db.selectFrom('intent').select('status').where('id', '=', s2b.intent.id).executeTakeFirstOrThrow()).status).toBe('merged');

    const events = await db.selectFrom('event').selectAll().where('topic', '=', `pool:${s1b.pool.id}`).orderBy('id', 'desc').limit(1).execute();
    expect(events[0]?.payload).toMatchObject({ reason: 'merge', mergedProductId: s1a.intent.productId, memberCount: 1 });
  });

  it('answers the extension in one call, and writes nothing unless the shopper shares prices', async () => {
    const { db } = t.handle;
    const s = await h.shopper();
    const page = snapshot();
    const unknown = await s.caller.products.lookup({ snapshot: page });
    expect(unknown).toEqual({ product: null, pool: null, pools: [], competitors: [], myIntent: null, campaign: null });
    expect(await db.selectFrom('listing').select('id').where('url', '=', page.url).execute()).toEqual([]);

    const shared = await s.caller.products.lookup({ snapshot: page, sharePrice: true });
    expect(shared.product?.name).toBe(page.name);
    expect(shared.competitors).toHaveLength(1);
    const listingId = shared.competitors[0]!.listingId;
    const history = await s.caller.products.priceHistory({ listingId });
    expect(history.map((o) => [o.price, o.source])).toEqual([['199.99', 'share']]);

    const other = await h.shopper();
    const joined = await other.caller.intents.register({ id: randomUUID(), snapshot: { ...page, retailer: 'shop-z.example.fr', url: 'https://shop-z.example.fr/p', price: '185.00' }, quantity: 2, maxPrice: '170', currency: 'EUR', region: 'FR' });
    const view = await other.caller.products.lookup({ snapshot: page, region: 'FR' });
    expect(view.product?.id).toBe(joined.intent.productId);
    expect(view.myIntent?.id).toBe(joined.intent.id);
    expect(view.pool).toMatchObject({ id: joined.pool.id, memberCount: 1, totalQuantity: 2 });
    expect(view.pool?.curve).toEqual([{ price: '170', members: 1, quantity: 2 }]);
    expect(view.competitors.map((c) => [c.retailer, c.price])).toEqual([
      ['shop-z.example.fr', '185.00'],
      ['shop-a.example.fr', '199.99'],
    ]);
    // The first shopper sees the same pool, but no intent of its own.
    const theirs = await s.caller.products.lookup({ snapshot: page, region: 'FR' });
    expect(theirs.myIntent).toBeNull();
    expect(theirs.pool?.id).toBe(joined.pool.id);
    void gtin13;
  });

  it('keeps a price history per listing, newest first', async () => {
    const s = await h.shopper();
    const page = snapshot();
    for (const price of ['100.00', '95.00', '97.50']) await s.caller.products.sharePrice({ snapshot: { ...page, price } });
    const view = await s.caller.products.lookup({ snapshot: page });
    expect(view.competitors[0]?.price).toBe('97.50');
    const history = await s.caller.products.priceHistory({ listingId: view.competitors[0]!.listingId, limit: 2 });
    expect(history.map((o) => o.price)).toEqual(['97.50', '95.00']);
  });
});
