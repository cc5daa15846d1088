import { z } from 'zod';
import { ProductSnapshot } from '../../core/snapshot.ts';
import { lookupProduct } from '../domain/lookup.ts';
import { catalogueStats, listingPriceHistory, productDetail, recordSharedPrice } from '../domain/products.ts';
import { Id, Limit, Region } from '../trpc/inputs.ts';
import { procedureFor, router, shopperProcedure } from '../trpc/procedures.ts';
import { refuse } from '../trpc/refusal.ts';

export const productsRouter = router({
  /**
   * The extension's one call when the popup opens on a product page: the product as the server knows it,
   * the shopper's pool there, every retailer's latest price, and the shopper's own intent. Read-only
   * unless the shopper opted in to share the prices they see (`sharePrice`).
   */
  lookup: shopperProcedure
    .input(z.object({ snapshot: ProductSnapshot, region: Region.optional(), sharePrice: z.boolean().default(false) }))
    .query(({ ctx, input }) => lookupProduct(ctx.db, ctx.bus, ctx.shopperId, input)),

  /** Shoppers who opted in send the price they see; it becomes an observation (creating the listing if new). */
  sharePrice: shopperProcedure.input(z.object({ snapshot: ProductSnapshot })).mutation(async ({ ctx, input }) => {
    if (input.snapshot.price === null || input.snapshot.currency === null) {
      throw refuse('BAD_REQUEST', 'noPriceToShare');
    }
    const resolved = await recordSharedPrice(ctx.bus, input.snapshot);
    return { productId: resolved.product.id, listingId: resolved.listing.id };
  }),

  get: procedureFor('shopper', 'organiser')
    .input(z.object({ productId: Id }))
    .query(({ ctx, input }) => productDetail(ctx.db, input.productId)),

  /** Prices seen on one listing, newest first. */
  priceHistory: procedureFor('shopper', 'organiser')
    .input(z.object({ listingId: Id, limit: Limit(1000, 200), before: z.iso.datetime().optional() }))
    .query(({ ctx, input }) => listingPriceHistory(ctx.db, input.listingId, input.limit, input.before)),

  /** How many products and listings the server knows (the dashboard's header). */
  stats: procedureFor('organiser').query(({ ctx }) => catalogueStats(ctx.db)),
});
