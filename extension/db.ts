import { Dexie, type EntityTable } from 'dexie';
import type { ProductSnapshot } from '../core/snapshot.ts';

/**
 * One product seen by the shopper at one retailer: a local Listing, kept to compare retailers later.
 * Keyed by the product's canonical URL, so visiting the same page again updates the row instead of adding one.
 */
export interface ProductSeen {
  /** The snapshot's canonical URL (primary key). */
  url: string;
  retailer: string;
  name: string;
  gtin: string | null;
  brand: string | null;
  mpn: string | null;
  price: string | null;
  currency: string | null;
  snapshot: ProductSnapshot;
  /** Epoch milliseconds. */
  firstSeenAt: number;
  lastSeenAt: number;
  /** How many times detection reported it (each page load or in-page navigation). */
  timesSeen: number;
}

/** The history keeps at most this many products; the least recently seen go first. */
export const MAX_PRODUCTS_SEEN = 500;

export class ExtensionDB extends Dexie {
  productsSeen!: EntityTable<ProductSeen, 'url'>;

  constructor(name = 'group-buy', options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    // Version 1 (2026-11-23, issue 2): products seen. Never edit a released version: add version(2) with an
    // upgrade() when the shape changes. Indexes: lastSeenAt to prune, gtin and retailer to compare later.
    this.version(1).stores({
      productsSeen: 'url, lastSeenAt, gtin, retailer',
    });
  }

  /**
   * Records that the shopper saw `snapshot`, then prunes the history to `max` rows, in one transaction so a
   * crash never leaves it over the bound. Purely local: works offline, nothing leaves the browser.
   */
  async recordProductSeen(snapshot: ProductSnapshot, now: number, max = MAX_PRODUCTS_SEEN): Promise<void> {
    await this.transaction('rw', this.productsSeen, async () => {
      const previous = await this.productsSeen.get(snapshot.url);
      await this.productsSeen.put({
        url: snapshot.url,
        retailer: snapshot.retailer,
        name: snapshot.name,
        gtin: snapshot.gtin,
        brand: snapshot.brand,
        mpn: snapshot.mpn,
        price: snapshot.price,
        currency: snapshot.currency,
        snapshot,
        firstSeenAt: previous?.firstSeenAt ?? now,
        lastSeenAt: now,
        timesSeen: (previous?.timesSeen ?? 0) + 1,
      });
      const excess = (await this.productsSeen.count()) - max;
      if (excess > 0) {
        const oldest = await this.productsSeen.orderBy('lastSeenAt').limit(excess).primaryKeys();
        await this.productsSeen.bulkDelete(oldest);
      }
    });
  }

  /** The most recently seen products first. */
  recentProducts(limit: number): Promise<ProductSeen[]> {
    return this.productsSeen.orderBy('lastSeenAt').reverse().limit(limit).toArray();
  }
}
