import type { Kysely } from 'kysely';
import type { ProductSnapshot } from '../../core/snapshot.ts';
import type { Database, Product } from '../db/schema.ts';
import type { EventBus } from '../events/bus.ts';
import { openCampaignView } from './campaigns.ts';
import { liveIntentOn, toIntentView, type IntentView } from './intents.ts';
import { listingPrices, poolDemand, productPools, toPoolSummary, type PoolDemand, type PoolSummary } from './pools.ts';
import { findProduct, recordSharedPrice, toProductView } from './products.ts';

/**
 * The extension's one question when the popup opens on a product page: the product as the server knows it,
 * the shopper's pool there, every retailer's latest price, and the shopper's own intent. Read-only unless
 * the shopper opted in to share the prices they see (`sharePrice`).
 */

export type PoolWithDemand = PoolSummary & PoolDemand;

export interface LookupInput {
  snapshot: ProductSnapshot;
  region?: string | undefined;
  sharePrice: boolean;
}

export async function lookupProduct(db: Kysely<Database>, bus: EventBus, shopperId: string, input: LookupInput) {
  const { snapshot } = input;
  let product: Product | null;
  if (input.sharePrice && snapshot.price !== null && snapshot.currency !== null) {
    product = (await recordSharedPrice(bus, snapshot)).product;
  } else {
    product = await findProduct(db, snapshot);
  }
  if (!product) return { product: null, pool: null, pools: [], competitors: [], myIntent: null, campaign: null };

  const [pools, competitors, mine] = await Promise.all([
    productPools(db, product.id),
    listingPrices(db, product.id),
    liveIntentOn(db, shopperId, product.id),
  ]);
  const myIntent: IntentView | null = mine ? toIntentView(mine) : null;
  const currency = snapshot.currency;
  // The pool that concerns this shopper: theirs, else this page's currency (and region if given), else the largest.
  const chosen =
    pools.find((p) => p.id === mine?.pool_id) ??
    pools.find((p) => p.currency === currency && (!input.region || p.region === input.region)) ??
    (input.region || currency ? null : (pools[0] ?? null));
  const pool: PoolWithDemand | null = chosen ? { ...toPoolSummary(chosen), ...(await poolDemand(db, chosen, 50)) } : null;
  const campaign = pool ? await openCampaignView(db, pool) : null;
  return { product: toProductView(product), pool, pools: pools.map(toPoolSummary), competitors, myIntent, campaign };
}
