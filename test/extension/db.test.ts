import { describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
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

  it('version 1 schema opens on an existing database', async () => {
    const indexedDB = new IDBFactory();
    const first = new ExtensionDB('upgrade', { indexedDB, IDBKeyRange });
    await first.recordProductSeen(snapshot(), 1);
    first.close();
    const again = new ExtensionDB('upgrade', { indexedDB, IDBKeyRange });
    expect(await again.productsSeen.count()).toBe(1);
    expect(again.verno).toBe(1);
  });
});
