import { TRPCError } from '@trpc/server';
import { sql, type Kysely, type Transaction } from 'kysely';
import { matchProducts, productIdentity, type ProductIdentity } from '../../core/identity.ts';
import type { ProductSnapshot } from '../../core/snapshot.ts';
import type { Database, Listing, Product } from '../db/schema.ts';
import type { EventBus } from '../events/bus.ts';
import { listingPrices, productPools, rebuildPool, toPoolSummary } from './pools.ts';
import { refuse } from '../trpc/refusal.ts';

/**
 * From a ProductSnapshot to one Product and its Listing at the snapshot's retailer, merging products
 * when new evidence (a GTIN, an MPN) shows that two are one.
 */

type Tx = Transaction<Database>;
type Db = Kysely<Database> | Tx;

/** A product as clients see it. */
export interface ProductView {
  id: string;
  name: string;
  brand: string | null;
  gtin: string | null;
  mpn: string | null;
  image: string | null;
}

export function toProductView(p: Product): ProductView {
  return { id: p.id, name: p.name, brand: p.brand, gtin: p.gtin, mpn: p.mpn, image: p.image };
}

export function identityOfProduct(p: Pick<Product, 'name' | 'brand' | 'gtin' | 'mpn'>): ProductIdentity {
  return productIdentity({ name: p.name, brand: p.brand, gtin: p.gtin, mpn: p.mpn });
}

export function normaliseRetailer(retailer: string): string {
  return retailer.trim().toLowerCase().replace(/^www\./, '');
}

/** Live products that this identity matches, strongest evidence first; never more than a handful. */
async function candidates(db: Db, identity: ProductIdentity): Promise<Product[]> {
  const found = new Map<string, Product>();
  if (identity.gtin) {
    const row = await db.selectFrom('product').selectAll().where('gtin', '=', identity.gtin).where('merged_into', 'is', null).executeTakeFirst();
    if (row) found.set(row.id, row);
  }
  if (identity.brandKey) {
    let query = db
      .selectFrom('product')
      .selectAll()
      .where('merged_into', 'is', null)
      .where('brand_key', '=', identity.brandKey)
      .orderBy('created_at')
      .limit(20);
    query = identity.mpnKey
      ? query.where((eb) => eb.or([eb('mpn_key', '=', identity.mpnKey), eb('attr_key', '=', identity.attrKey)]))
      : query.where('attr_key', '=', identity.attrKey);
    for (const row of await query.execute()) {
      if (matchProducts(identity, identityOfProduct(row))) found.set(row.id, row);
    }
  }
  return [...found.values()];
}

/** Read-only: the product a snapshot describes, if the server knows it (a lookup must not write). */
export async function findProduct(db: Db, snapshot: ProductSnapshot): Promise<Product | null> {
  const identity = productIdentity(snapshot);
  const found = await candidates(db, identity);
  return found.find((p) => p.gtin && p.gtin === identity.gtin) ?? found[0] ?? null;
}

/** Follows merges: the live product an old id now stands for. */
export async function liveProduct(db: Db, productId: string): Promise<Product | null> {
  let product = await db.selectFrom('product').selectAll().where('id', '=', productId).executeTakeFirst();
  for (let hops = 0; product?.merged_into && hops < 10; hops++) {
    product = await db.selectFrom('product').selectAll().where('id', '=', product.merged_into).executeTakeFirst();
  }
  return product && !product.merged_into ? product : null;
}

export interface ResolvedProduct {
  product: Product;
  listing: Listing;
  /** Products merged into `product` by this call. */
  merged: string[];
}

/**
 * The product a snapshot describes, created if new, with its listing upserted (url, latest price).
 * Runs inside the caller's transaction; concurrent resolutions of one brand are serialised by an advisory
 * lock so two shops' pages cannot create the same product twice.
 */
export async function resolveProduct(trx: Tx, bus: EventBus, snapshot: ProductSnapshot): Promise<ResolvedProduct> {
  const identity = productIdentity(snapshot);
  const lockKey = identity.brandKey ?? (identity.gtin ? `gtin:${identity.gtin}` : `name:${identity.nameKey}`);
  await sql`select pg_advisory_xact_lock(hashtext(${`product:${lockKey}`}))`.execute(trx);
  if (identity.gtin) {
    // A GTIN-only page (no brand) must still not race a branded page with the same GTIN.
    await sql`select pg_advisory_xact_lock(hashtext(${`product:gtin:${identity.gtin}`}))`.execute(trx);
  }

  const found = await candidates(trx, identity);
  // The survivor: the product holding this GTIN, else the oldest match.
  let target = found.find((p) => identity.gtin && p.gtin === identity.gtin) ?? found[0] ?? null;
  const merged: string[] = [];
  if (!target) {
    target = await trx
      .insertInto('product')
      .values({
        gtin: identity.gtin,
        brand: snapshot.brand,
        brand_key: identity.brandKey,
        mpn: identity.mpnKey ? snapshot.mpn : null,
        mpn_key: identity.mpnKey,
        name: snapshot.name,
        name_key: identity.nameKey,
        attr_key: identity.attrKey,
        image: snapshot.image,
        merged_into: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } else {
    for (const other of found) {
      if (other.id === target.id) continue;
      // Two products with different GTINs stay apart even if a name matches both.
      if (other.gtin && target.gtin && other.gtin !== target.gtin) continue;
      await mergeProducts(trx, bus, other.id, target.id);
      merged.push(other.id);
    }
    // New evidence fills what the product lacked (a GTIN, an MPN, a brand, an image).
    const fill: Partial<Product> = {};
    if (!target.gtin && identity.gtin) fill.gtin = identity.gtin;
    if (!target.mpn_key && identity.mpnKey && snapshot.mpn) Object.assign(fill, { mpn: snapshot.mpn, mpn_key: identity.mpnKey });
    if (!target.brand_key && identity.brandKey && snapshot.brand) Object.assign(fill, { brand: snapshot.brand, brand_key: identity.brandKey });
    if (!target.image && snapshot.image) fill.image = snapshot.image;
    if (Object.keys(fill).length > 0) {
      target = await trx
        .updateTable('product')
        .set({ ...fill, updated_at: sql<Date>`now()` })
        .where('id', '=', target.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
  }
  const listing = await upsertListing(trx, target.id, snapshot);
  return { product: target, listing, merged };
}

export async function upsertListing(trx: Db, productId: string, snapshot: ProductSnapshot): Promise<Listing> {
  const priced = snapshot.price !== null && snapshot.currency !== null;
  return trx
    .insertInto('listing')
    .values({
      product_id: productId,
      retailer: normaliseRetailer(snapshot.retailer),
      url: snapshot.url,
      latest_price: priced ? snapshot.price : null,
      currency: priced ? snapshot.currency : null,
      availability: snapshot.availability,
    })
    .onConflict((oc) =>
      oc.columns(['product_id', 'retailer']).doUpdateSet((eb) => ({
        url: eb.ref('excluded.url'),
        // A page read without a price keeps the last price known.
        latest_price: priced ? eb.ref('excluded.latest_price') : eb.ref('listing.latest_price'),
        currency: priced ? eb.ref('excluded.currency') : eb.ref('listing.currency'),
        availability: eb.fn.coalesce('excluded.availability', 'listing.availability'),
        last_seen_at: sql<Date>`now()`,
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A price seen on a listing now. Nothing is recorded for a page without price and currency. */
export async function recordObservation(
  trx: Db,
  listing: Listing,
  snapshot: ProductSnapshot,
  source: 'join' | 'share',
): Promise<boolean> {
  if (snapshot.price === null || snapshot.currency === null) return false;
  await trx
    .insertInto('observation')
    .values({ listing_id: listing.id, price: snapshot.price, currency: snapshot.currency, availability: snapshot.availability, source })
    .execute();
  return true;
}

/**
 * A price a shopper shares (opted in): the product resolved (created if new), its listing upserted, the
 * price recorded as an observation, in one transaction.
 */
export async function recordSharedPrice(bus: EventBus, snapshot: ProductSnapshot): Promise<ResolvedProduct> {
  return bus.transaction(async (trx) => {
    const resolved = await resolveProduct(trx, bus, snapshot);
    await recordObservation(trx, resolved.listing, snapshot, 'share');
    return resolved;
  });
}

/**
 * Merges product `fromId` into `toId`: listings, intents and pools move; a shopper with a live intent on
 * both keeps the most recently changed one (the other becomes 'merged'); pool aggregates are rebuilt.
 */
export async function mergeProducts(trx: Tx, bus: EventBus, fromId: string, toId: string): Promise<void> {
  if (fromId === toId) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'cannot merge a product into itself' });
  // Lock both rows in a fixed order so two merges cannot deadlock.
  await trx.selectFrom('product').select('id').where('id', 'in', [fromId, toId]).orderBy('id').forUpdate().execute();

  // Listings: one per retailer survives; observations and intents follow it.
  const fromListings = await trx.selectFrom('listing').selectAll().where('product_id', '=', fromId).execute();
  for (const listing of fromListings) {
    const twin = await trx
      .selectFrom('listing')
      .selectAll()
      .where('product_id', '=', toId)
      .where('retailer', '=', listing.retailer)
      .executeTakeFirst();
    if (!twin) {
      await trx.updateTable('listing').set({ product_id: toId }).where('id', '=', listing.id).execute();
      continue;
    }
    await trx.updateTable('observation').set({ listing_id: twin.id }).where('listing_id', '=', listing.id).execute();
    await trx.updateTable('intent').set({ listing_id: twin.id }).where('listing_id', '=', listing.id).execute();
    if (listing.last_seen_at > twin.last_seen_at) {
      await trx
        .updateTable('listing')
        .set({
          url: listing.url,
          latest_price: listing.latest_price,
          currency: listing.currency,
          availability: listing.availability,
          last_seen_at: listing.last_seen_at,
        })
        .where('id', '=', twin.id)
        .execute();
    }
    await trx.deleteFrom('listing').where('id', '=', listing.id).execute();
  }

  // A shopper's two live intents collapse to the most recently changed one.
  const duplicates = await trx
    .selectFrom('intent as a')
    .innerJoin('intent as b', (join) => join.onRef('a.shopper_id', '=', 'b.shopper_id'))
    .select(['a.id as fromIntent', 'a.updated_at as fromUpdated', 'b.id as toIntent', 'b.updated_at as toUpdated'])
    .where('a.product_id', '=', fromId)
    .where('b.product_id', '=', toId)
    .where('a.status', '=', 'live')
    .where('b.status', '=', 'live')
    .execute();
  for (const d of duplicates) {
    const loser = d.fromUpdated > d.toUpdated ? d.toIntent : d.fromIntent;
    await trx
      .updateTable('intent')
      .set({ status: 'merged', withdrawn_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', loser)
      .execute();
  }

  // Pools: a pool of the same currency and region absorbs the other's intents; otherwise the pool moves.
  const touched = new Set<string>();
  const fromPools = await trx.selectFrom('pool').selectAll().where('product_id', '=', fromId).where('merged_into', 'is', null).execute();
  for (const pool of fromPools) {
    const twin = await trx
      .selectFrom('pool')
      .select('id')
      .where('product_id', '=', toId)
      .where('currency', '=', pool.currency)
      .where('region', '=', pool.region)
      .executeTakeFirst();
    if (!twin) {
      await trx.updateTable('pool').set({ product_id: toId }).where('id', '=', pool.id).execute();
      touched.add(pool.id);
      continue;
    }
    await trx.updateTable('intent').set({ pool_id: twin.id }).where('pool_id', '=', pool.id).execute();
    await trx.updateTable('campaign').set({ pool_id: twin.id }).where('pool_id', '=', pool.id).execute();
    await trx.updateTable('pool').set({ merged_into: twin.id }).where('id', '=', pool.id).execute();
    await rebuildPool(trx, pool.id);
    touched.add(twin.id);
  }
  await trx.updateTable('intent').set({ product_id: toId }).where('product_id', '=', fromId).execute();
  for (const poolId of (await trx.selectFrom('pool').select('id').where('product_id', '=', toId).where('merged_into', 'is', null).execute()).map((p) => p.id)) {
    touched.add(poolId);
  }
  await trx.updateTable('product').set({ merged_into: toId, updated_at: sql<Date>`now()` }).where('id', '=', fromId).execute();
  await trx.updateTable('product').set({ merged_into: toId }).where('merged_into', '=', fromId).execute();

  for (const poolId of [...touched].sort()) {
    const pool = await rebuildPool(trx, poolId);
    await bus.publish(trx, `pool:${poolId}`, 'pool.changed', { ...pool, reason: 'merge', mergedProductId: fromId });
  }
}

// ---- Reads --------------------------------------------------------------------------------------

/** A product (following merges), its live pools and every retailer's latest price. */
export async function productDetail(db: Db, productId: string) {
  const product = await liveProduct(db, productId);
  if (!product) throw refuse('NOT_FOUND', 'noSuchProduct');
  const [pools, competitors] = await Promise.all([productPools(db, product.id), listingPrices(db, product.id)]);
  return { product: toProductView(product), pools: pools.map(toPoolSummary), competitors };
}

/** Prices seen on one listing (its observations), newest first; `before`: an ISO time to page back from. */
export async function listingPriceHistory(db: Db, listingId: string, limit: number, before?: string) {
  let query = db
    .selectFrom('observation')
    .select(['price', 'currency', 'availability', 'source', 'seen_at'])
    .where('listing_id', '=', listingId)
    .orderBy('seen_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
  if (before) query = query.where('seen_at', '<', new Date(before));
  const rows = await query.execute();
  return rows.map((r) => ({
    price: r.price,
    currency: r.currency.trim(),
    availability: r.availability,
    source: r.source,
    seenAt: r.seen_at.toISOString(),
  }));
}

/** How many products, listings and observations the server knows (the dashboard's header). */
export async function catalogueStats(db: Db): Promise<{ products: number; listings: number; observations: number }> {
  const row = await sql<{ products: number; listings: number; observations: number }>`
    select (select count(*) from product where merged_into is null)::int as products,
      (select count(*) from listing)::int as listings,
      (select count(*) from observation)::int as observations
  `.execute(db);
  return row.rows[0]!;
}
