import type { ProductSnapshot } from '../core/snapshot.ts';
import type { DealRow, ExtensionDB, IntentRow, LookupRow } from '../extension/db.ts';
import { historyMatches, retailerPrices, type RetailerPrice } from './compare.ts';

/**
 * The popup's reads of the local database, one per panel. The panels run them as live queries; the popup
 * also runs them once before its first render (components/popup-start.ts), so it opens with everything.
 */

export interface PagePool {
  lookup: LookupRow | null;
  intent: IntentRow | null;
  deal: DealRow | null;
}

/** This page's saved lookup, the shopper's live intent for the product, and a deal for it. */
export async function readPagePool(db: ExtensionDB, snapshot: ProductSnapshot): Promise<PagePool> {
  const lookup = (await db.lookups.get(snapshot.url)) ?? null;
  const productId = lookup?.productId ?? null;
  const intents = await db.intents.where('pageUrl').equals(snapshot.url).toArray();
  let intent: IntentRow | null = intents.find((row) => row.status === 'live') ?? null;
  if (!intent && productId) {
    intent = (await db.intents.where('productId').equals(productId).filter((row) => row.status === 'live').first()) ?? null;
  }
  const dealProduct = intent?.productId ?? productId;
  const deal: DealRow | null = dealProduct
    ? ((await db.deals.where('productId').equals(dealProduct).reverse().sortBy('confirmBy'))[0] ?? null)
    : null;
  return { lookup, intent, deal };
}

/** The product's price at every shop known: the server's pool, the shopper's history, and this page. */
export async function readRetailerPrices(db: ExtensionDB, snapshot: ProductSnapshot): Promise<RetailerPrice[]> {
  const [lookup, history] = await Promise.all([db.lookups.get(snapshot.url), historyMatches(db, snapshot)]);
  return retailerPrices(snapshot, lookup?.result.competitors ?? [], history, Date.now());
}

export interface MyIntentsRows {
  intents: IntentRow[];
  deals: DealRow[];
}

/** Every intent of the shopper (newest first) and every deal. */
export async function readMyIntents(db: ExtensionDB): Promise<MyIntentsRows> {
  const [intents, deals] = await Promise.all([db.intents.orderBy('updatedAt').reverse().toArray(), db.deals.toArray()]);
  return { intents, deals };
}
