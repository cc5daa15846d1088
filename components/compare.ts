import { matchProducts, productIdentity } from '../core/identity.ts';
import { compareDecimal } from '../core/pricing.ts';
import type { ProductSnapshot } from '../core/snapshot.ts';
import type { ExtensionDB, ProductSeen } from '../extension/db.ts';
import type { LookupResult } from '../extension/records.ts';

/** One retailer's price for the product, from the server's pool or from the shopper's own history. */
export interface RetailerPrice {
  retailer: string;
  url: string | null;
  price: string;
  currency: string;
  /** Epoch ms. */
  seenAt: number;
  source: 'server' | 'history' | 'page';
}

/**
 * The products the shopper saw at other shops that are this one, by the same identity rules as the server
 * (core/identity.ts): candidates share the GTIN or the brand, then must match.
 */
export async function historyMatches(db: ExtensionDB, snapshot: ProductSnapshot): Promise<ProductSeen[]> {
  const target = productIdentity(snapshot);
  const candidates = new Map<string, ProductSeen>();
  if (target.gtin) for (const row of await db.productsSeen.where('gtinKey').equals(target.gtin).toArray()) candidates.set(row.url, row);
  if (target.brandKey) for (const row of await db.productsSeen.where('brandKey').equals(target.brandKey).toArray()) candidates.set(row.url, row);
  return [...candidates.values()].filter(
    (row) => row.url !== snapshot.url && matchProducts(target, productIdentity(row)) !== null,
  );
}

/**
 * The latest price per retailer (server and history merged; the newer wins), this page included, cheapest
 * first among prices in the page's currency, then the others.
 */
export function retailerPrices(
  snapshot: ProductSnapshot,
  competitors: LookupResult['competitors'],
  history: readonly ProductSeen[],
  now: number,
): RetailerPrice[] {
  const byRetailer = new Map<string, RetailerPrice>();
  const consider = (candidate: RetailerPrice) => {
    const key = candidate.retailer.toLowerCase();
    const known = byRetailer.get(key);
    if (!known || (known.source !== 'page' && candidate.seenAt > known.seenAt) || candidate.source === 'page') byRetailer.set(key, candidate);
  };
  for (const c of competitors) {
    if (c.price && c.currency) consider({ retailer: c.retailer, url: c.url, price: c.price, currency: c.currency.trim(), seenAt: Date.parse(c.seenAt), source: 'server' });
  }
  for (const row of history) {
    if (row.price && row.currency) consider({ retailer: row.retailer, url: row.url, price: row.price, currency: row.currency, seenAt: row.lastSeenAt, source: 'history' });
  }
  if (snapshot.price && snapshot.currency) {
    consider({ retailer: snapshot.retailer, url: snapshot.url, price: snapshot.price, currency: snapshot.currency, seenAt: now, source: 'page' });
  }
  const currency = snapshot.currency;
  return [...byRetailer.values()].sort((a, b) => {
    const aSame = a.currency === currency ? 0 : 1;
    const bSame = b.currency === currency ? 0 : 1;
    return aSame - bSame || compareDecimal(a.price, b.price) || a.retailer.localeCompare(b.retailer);
  });
}

/** `a - b` as a decimal string with a sign ("-12.5", "+3"), exact to the cent for display. */
export function priceDifference(a: string, b: string): string {
  const cents = Math.round(Number(a) * 100) - Math.round(Number(b) * 100);
  const sign = cents > 0 ? '+' : cents < 0 ? '-' : '±';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
