import { Dexie, type EntityTable, type Table } from 'dexie';
import { normaliseBrand, normaliseGtin } from '../core/identity.ts';
import type { ProductSnapshot } from '../core/snapshot.ts';
import type { DealRow, IntentRow, LookupRow, NotificationRow, OutboxOp, SettingRow } from './records.ts';

export type * from './records.ts';

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
  /** Normalised brand (core/identity.ts), indexed since version 2 to find the same product at other shops. */
  brandKey?: string | null;
  /** GTIN normalised to 14 digits (version 2): equal keys are one product whatever the shop wrote. */
  gtinKey?: string | null;
}

/** The history keeps at most this many products; the least recently seen go first. */
export const MAX_PRODUCTS_SEEN = 500;

export class ExtensionDB extends Dexie {
  productsSeen!: EntityTable<ProductSeen, 'url'>;
  intents!: EntityTable<IntentRow, 'id'>;
  outbox!: Table<OutboxOp, number>;
  deals!: EntityTable<DealRow, 'dealId'>;
  notifications!: Table<NotificationRow, number>;
  lookups!: EntityTable<LookupRow, 'pageUrl'>;
  settings!: EntityTable<SettingRow, 'key'>;

  constructor(name = 'group-buy', options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    // Version 1 (2026-11-23, issue 2): products seen. Never edit a released version: add version(2) with an
    // upgrade() when the shape changes. Indexes: lastSeenAt to prune, gtin and retailer to compare later.
    this.version(1).stores({
      productsSeen: 'url, lastSeenAt, gtin, retailer',
    });
    // Version 2 (2026-11-23, issue 4): the shopper's side of the groups. Intents with their sync state and the
    // outbox of calls still to deliver, deals, notifications, the last server answer per page (the popup
    // renders from it at once), settings (identity, server, privacy, interests, language). Products seen gain
    // normalised identity keys so the popup can find the same product at other shops (compare retailers).
    this.version(2)
      .stores({
        productsSeen: 'url, lastSeenAt, gtin, retailer, brandKey, gtinKey',
        intents: 'id, pageUrl, productId, sync, updatedAt',
        outbox: '++seq, intentId, nextAttemptAt',
        deals: 'dealId, productId, state, confirmBy',
        notifications: '++id, &key, createdAt',
        lookups: 'pageUrl, productId, fetchedAt',
        settings: 'key',
      })
      .upgrade((tx) =>
        tx
          .table<ProductSeen, string>('productsSeen')
          .toCollection()
          .modify((row) => {
            row.brandKey = normaliseBrand(row.brand);
            row.gtinKey = normaliseGtin(row.gtin);
          }),
      );
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
        brandKey: normaliseBrand(snapshot.brand),
        gtinKey: normaliseGtin(snapshot.gtin),
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
