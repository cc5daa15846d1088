import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { ProductSnapshot } from '../../core/snapshot.ts';
import type { Database, Pool, Product } from '../db/schema.ts';
import { openCampaignOffer } from '../domain/campaigns.ts';
import { toIntentView, type IntentView } from '../domain/intents.ts';
import { competitorPrices, poolDemand, toPoolSummary, type PoolDemand, type PoolSummary } from '../domain/pools.ts';
import { findProduct, liveProduct, recordObservation, resolveProduct } from '../domain/products.ts';
import { Id, Limit, Region } from '../trpc/inputs.ts';
import { procedureFor, router, shopperProcedure } from '../trpc/procedures.ts';
import { refuse } from '../trpc/refusal.ts';

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

export type PoolWithDemand = PoolSummary & PoolDemand;

async function productPools(db: Kysely<Database>, productId: string): Promise<Pool[]> {
  return db
    .selectFrom('pool')
    .selectAll()
    .where('product_id', '=', productId)
    .where('merged_into', 'is', null)
    .orderBy('total_quantity', 'desc')
    .limit(50)
    .execute();
}

export const productsRouter = router({
  /**
   * The extension's one call when the popup opens on a product page: the product as the server knows it,
   * the shopper's pool there, every retailer's latest price, and the shopper's own intent. Read-only
   * unless the shopper opted in to share the prices they see (`sharePrice`).
   */
  lookup: shopperProcedure
    .input(z.object({ snapshot: ProductSnapshot, region: Region.optional(), sharePrice: z.boolean().default(false) }))
    .query(async ({ ctx, input }) => {
      let product: Product | null;
      if (input.sharePrice && input.snapshot.price !== null && input.snapshot.currency !== null) {
        product = await ctx.bus.transaction(async (trx) => {
          const resolved = await resolveProduct(trx, ctx.bus, input.snapshot);
          await recordObservation(trx, resolved.listing, input.snapshot, 'share');
          return resolved.product;
        });
      } else {
        product = await findProduct(ctx.db, input.snapshot);
      }
      if (!product) return { product: null, pool: null, pools: [], competitors: [], myIntent: null, campaign: null };

      const [pools, competitors, mine] = await Promise.all([
        productPools(ctx.db, product.id),
        competitorPrices(ctx.db, product.id),
        ctx.db
          .selectFrom('intent')
          .selectAll()
          .where('shopper_id', '=', ctx.shopperId)
          .where('product_id', '=', product.id)
          .where('status', '=', 'live')
          .executeTakeFirst(),
      ]);
      const myIntent: IntentView | null = mine ? toIntentView(mine) : null;
      const currency = input.snapshot.currency;
      // The pool that concerns this shopper: theirs, else this page's currency (and region if given), else the largest.
      const chosen =
        pools.find((p) => p.id === mine?.pool_id) ??
        pools.find((p) => p.currency === currency && (!input.region || p.region === input.region)) ??
        (input.region || currency ? null : (pools[0] ?? null));
      const pool: PoolWithDemand | null = chosen ? { ...toPoolSummary(chosen), ...(await poolDemand(ctx.db, chosen, 50)) } : null;
      const campaign = pool ? await openCampaignOffer(ctx.db, pool) : null;
      return { product: toProductView(product), pool, pools: pools.map(toPoolSummary), competitors, myIntent, campaign };
    }),

  /** Shoppers who opted in send the price they see; it becomes an observation (creating the listing if new). */
  sharePrice: shopperProcedure.input(z.object({ snapshot: ProductSnapshot })).mutation(async ({ ctx, input }) => {
    if (input.snapshot.price === null || input.snapshot.currency === null) {
      throw refuse('BAD_REQUEST', 'noPriceToShare');
    }
    return ctx.bus.transaction(async (trx) => {
      const resolved = await resolveProduct(trx, ctx.bus, input.snapshot);
      await recordObservation(trx, resolved.listing, input.snapshot, 'share');
      return { productId: resolved.product.id, listingId: resolved.listing.id };
    });
  }),

  get: procedureFor('shopper', 'organiser')
    .input(z.object({ productId: Id }))
    .query(async ({ ctx, input }) => {
      const product = await liveProduct(ctx.db, input.productId);
      if (!product) throw refuse('NOT_FOUND', 'noSuchProduct');
      const [pools, competitors] = await Promise.all([productPools(ctx.db, product.id), competitorPrices(ctx.db, product.id)]);
      return { product: toProductView(product), pools: pools.map(toPoolSummary), competitors };
    }),

  /** Prices seen on one listing, newest first. */
  priceHistory: procedureFor('shopper', 'organiser')
    .input(z.object({ listingId: Id, limit: Limit(1000, 200), before: z.iso.datetime().optional() }))
    .query(async ({ ctx, input }) => {
      let query = ctx.db
        .selectFrom('observation')
        .select(['price', 'currency', 'availability', 'source', 'seen_at'])
        .where('listing_id', '=', input.listingId)
        .orderBy('seen_at', 'desc')
        .orderBy('id', 'desc')
        .limit(input.limit);
      if (input.before) query = query.where('seen_at', '<', new Date(input.before));
      const rows = await query.execute();
      return rows.map((r) => ({
        price: r.price,
        currency: r.currency.trim(),
        availability: r.availability,
        source: r.source,
        seenAt: r.seen_at.toISOString(),
      }));
    }),

  /** How many products and listings the server knows (the dashboard's header). */
  stats: procedureFor('organiser').query(async ({ ctx }) => {
    const row = await sql<{ products: number; listings: number; observations: number }>`
      select (select count(*) from product where merged_into is null)::int as products,
        (select count(*) from listing)::int as listings,
        (select count(*) from observation)::int as observations
    `.execute(ctx.db);
    return row.rows[0]!;
  }),
});
