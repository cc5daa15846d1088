import { describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { historyMatches, priceDifference, retailerPrices } from '../../components/compare.ts';
import { ExtensionDB } from '../../extension/db.ts';
import { snapshot } from './snapshots.ts';

// Compare retailers: the shopper's own history matched by the server's identity rules, merged with the
// server's latest prices, one row per retailer, cheapest first.
describe('compare retailers', () => {
  const here = snapshot({ url: 'https://a.example/kettle', retailer: 'a.example', name: 'Acme Kettle K200 1.7 L', brand: 'Acme', gtin: '4006381333931', mpn: 'K200', price: '49.90' });

  it('finds the same product seen at other shops (GTIN, or brand and name), and not near misses', async () => {
    const db = new ExtensionDB('compare', { indexedDB: new IDBFactory(), IDBKeyRange });
    await db.recordProductSeen(here, 1);
    await db.recordProductSeen(snapshot({ url: 'https://b.example/k', retailer: 'b.example', name: 'Kettle', brand: 'ACME', gtin: '04006381333931', mpn: null, price: '44.5' }), 2);
    await db.recordProductSeen(snapshot({ url: 'https://c.example/k', retailer: 'c.example', name: 'Acme Kettle K200 1.7 L stainless', brand: 'Acme', gtin: null, mpn: 'K200', price: '47' }), 3);
    // Another model of the same brand: not the same product.
    await db.recordProductSeen(snapshot({ url: 'https://d.example/k', retailer: 'd.example', name: 'Acme Kettle K300 1.7 L', brand: 'Acme', gtin: null, mpn: 'K300', price: '30' }), 4);
    const matches = await historyMatches(db, here);
    expect(matches.map((row) => row.retailer).sort()).toEqual(['b.example', 'c.example']);
  });

  it('keeps the newest price per retailer, cheapest first in the page’s currency', () => {
    const competitors = [
      { listingId: '1', retailer: 'b.example', url: 'https://b.example/k', price: '46', currency: 'EUR', availability: null, seenAt: new Date(1_000).toISOString() },
      { listingId: '2', retailer: 'e.example', url: 'https://e.example/k', price: '40', currency: 'USD', availability: null, seenAt: new Date(1_000).toISOString() },
    ];
    const history = [{ url: 'https://b.example/k', retailer: 'b.example', price: '44.5', currency: 'EUR', lastSeenAt: 5_000 }] as unknown as Parameters<typeof retailerPrices>[2];
    const rows = retailerPrices(here, competitors as Parameters<typeof retailerPrices>[1], history, 10_000);
    expect(rows.map((r) => [r.retailer, r.price, r.source])).toEqual([
      ['b.example', '44.5', 'history'],
      ['a.example', '49.90', 'page'],
      ['e.example', '40', 'server'],
    ]);
    expect(priceDifference('44.5', '49.90')).toBe('-5.40');
    expect(priceDifference('52', '49.90')).toBe('+2.10');
  });
});
