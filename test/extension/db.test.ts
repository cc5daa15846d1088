import { describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { Dexie } from 'dexie';
import { ExtensionDB } from '../../extension/db.ts';
import { snapshot } from './snapshots.ts';

// Each test gets its own IndexedDB: Dexie keeps the factory it was given.
const freshDb = () => new ExtensionDB('test', { indexedDB: new IDBFactory(), IDBKeyRange });

describe('ExtensionDB: products seen', () => {
  it('records a product once per canonical URL and counts visits', async () => {
    const db = freshDb();
    await db.recordProductSeen(snapshot({ price: '10' }), 1_000);
    await db.recordProductSeen(snapshot({ price: '9.5' }), 2_000);
    const rows = await db.productsSeen.toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ price: '9.5', firstSeenAt: 1_000, lastSeenAt: 2_000, timesSeen: 2 });
  });

  it('stays bounded: the least recently seen products are dropped first', async () => {
    const db = freshDb();
    for (let i = 0; i < 8; i++) {
      await db.recordProductSeen(snapshot({ url: `https://shop.example/p/${i}` }), 1_000 + i, 5);
    }
    // Seeing product 3 again makes it recent, so it survives the next prune.
    await db.recordProductSeen(snapshot({ url: 'https://shop.example/p/3' }), 5_000, 5);
    await db.recordProductSeen(snapshot({ url: 'https://shop.example/p/8' }), 6_000, 5);
    expect(await db.productsSeen.count()).toBe(5);
    const urls = (await db.recentProducts(10)).map((row) => row.url.split('/').pop());
    expect(urls).toEqual(['8', '3', '7', '6', '5']);
  });

  it('finds products by GTIN, for comparing retailers later', async () => {
    const db = freshDb();
    await db.recordProductSeen(snapshot({ url: 'https://a.example/p', retailer: 'a.example' }), 1);
    await db.recordProductSeen(snapshot({ url: 'https://b.example/p', retailer: 'b.example' }), 2);
    await db.recordProductSeen(snapshot({ url: 'https://c.example/p', gtin: null }), 3);
    const same = await db.productsSeen.where('gtin').equals('0699965160125').toArray();
    expect(same.map((row) => row.retailer).sort()).toEqual(['a.example', 'b.example']);
  });

  it('upgrades a version 1 database to version 2, keeping the products seen and filling their identity keys', async () => {
    const indexedDB = new IDBFactory();
    // Version 1 exactly as issue 2 shipped it.
    const v1 = new Dexie('upgrade', { indexedDB, IDBKeyRange });
    v1.version(1).stores({ productsSeen: 'url, lastSeenAt, gtin, retailer' });
    const seen = snapshot({ gtin: '4006381333931', brand: '  BODUM ' });
    await v1.table('productsSeen').bulkPut([
      { url: seen.url, retailer: seen.retailer, name: seen.name, gtin: seen.gtin, brand: seen.brand, mpn: seen.mpn, price: seen.price, currency: seen.currency, snapshot: seen, firstSeenAt: 1, lastSeenAt: 2, timesSeen: 3 },
      { url: 'https://other.example/p', retailer: 'other.example', name: 'Other', gtin: null, brand: null, mpn: null, price: null, currency: null, snapshot: snapshot({ url: 'https://other.example/p' }), firstSeenAt: 1, lastSeenAt: 1, timesSeen: 1 },
    ]);
    expect(v1.verno).toBe(1);
    v1.close();

    const v2 = new ExtensionDB('upgrade', { indexedDB, IDBKeyRange });
    expect(await v2.productsSeen.count()).toBe(2);
    expect(v2.verno).toBe(2);
    const row = await v2.productsSeen.get(seen.url);
    expect(row).toMatchObject({ timesSeen: 3, brandKey: 'bodum', gtinKey: '04006381333931' });
    // The new indexes answer at once on upgraded rows.
    expect((await v2.productsSeen.where('gtinKey').equals('04006381333931').toArray()).map((r) => r.url)).toEqual([seen.url]);
    expect(await v2.productsSeen.where('brandKey').equals('bodum').count()).toBe(1);
    for (const table of [v2.intents, v2.outbox, v2.deals, v2.notifications, v2.lookups, v2.settings]) expect(await table.count()).toBe(0);
  });
});
