import { tracked } from '@trpc/server';
import { sql } from 'kysely';
import { z } from 'zod';
import type { BusEvent } from '../events/bus.ts';
import { competitorPrices, livePool, poolDemand, toPoolSummary } from '../domain/pools.ts';
import { Currency, EventId, Id, Limit, Region } from '../trpc/inputs.ts';
import { organiserProcedure, procedureFor, router } from '../trpc/procedures.ts';
import { toProductView } from './products.ts';
import { refuse } from '../trpc/refusal.ts';

export const poolsRouter = router({
  /** A pool in full: members, quantity, demand curve, price quartiles, and the market prices of its product. */
  get: procedureFor('shopper', 'organiser')
    .input(z.object({ poolId: Id, maxPoints: z.number().int().min(2).max(1000).default(200) }))
    .query(async ({ ctx, input }) => {
      const pool = await livePool(ctx.db, input.poolId);
      if (!pool) throw refuse('NOT_FOUND', 'noSuchPool');
      const [product, demand, competitors] = await Promise.all([
        ctx.db.selectFrom('product').selectAll().where('id', '=', pool.product_id).executeTakeFirstOrThrow(),
        poolDemand(ctx.db, pool, input.maxPoints),
        competitorPrices(ctx.db, pool.product_id),
      ]);
      return { ...toPoolSummary(pool), ...demand, product: toProductView(product), competitors };
    }),

  /** Only the demand curve and quartiles (what the dashboard's chart polls). */
  demand: procedureFor('shopper', 'organiser')
    .input(z.object({ poolId: Id, maxPoints: z.number().int().min(2).max(1000).default(200) }))
    .query(async ({ ctx, input }) => {
      const pool = await livePool(ctx.db, input.poolId);
      if (!pool) throw refuse('NOT_FOUND', 'noSuchPool');
      return { ...toPoolSummary(pool), ...(await poolDemand(ctx.db, pool, input.maxPoints)) };
    }),

  /** The dashboard: pools ranked by demand (units wanted, then members), with filters. */
  ranked: organiserProcedure
    .input(
      z
        .object({
          currency: Currency.optional(),
          region: Region.optional(),
          brand: z.string().trim().min(1).max(200).optional(),
          search: z.string().trim().min(1).max(200).optional(),
          minMembers: z.number().int().min(0).max(1_000_000).default(1),
          limit: Limit(100, 50),
          offset: z.number().int().min(0).max(100_000).default(0),
        })
        .default({ minMembers: 1, limit: 50, offset: 0 }),
    )
    .query(async ({ ctx, input }) => {
      let query = ctx.db
        .selectFrom('pool')
        .innerJoin('product', 'product.id', 'pool.product_id')
        .selectAll('pool')
        .select(['product.name as product_name', 'product.brand as product_brand', 'product.gtin as product_gtin', 'product.image as product_image'])
        .where('pool.merged_into', 'is', null)
        .where('pool.member_count', '>=', input.minMembers)
        .orderBy('pool.total_quantity', 'desc')
        .orderBy('pool.member_count', 'desc')
        .orderBy('pool.id')
        .limit(input.limit)
        .offset(input.offset);
      if (input.currency) query = query.where('pool.currency', '=', input.currency);
      if (input.region) query = query.where('pool.region', '=', input.region);
      if (input.brand) query = query.where(sql<boolean>`lower(product.brand) = lower(${input.brand})`);
      if (input.search) {
        const pattern = `%${input.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        query = query.where('product.name', 'ilike', pattern);
      }
      const rows = await query.execute();
      return rows.map((r) => ({
        ...toPoolSummary(r),
        product: { id: r.product_id, name: r.product_name, brand: r.product_brand, gtin: r.product_gtin, image: r.product_image },
      }));
    }),

  /**
   * Live pool events (one pool, or all when no poolId). Each carries its event id: a client that
   * reconnects sends the last one (tracked ids / Last-Event-ID) and receives what it missed.
   */
  onChange: procedureFor('shopper', 'organiser')
    .input(z.object({ poolId: Id.optional(), lastEventId: EventId.nullish() }).default({}))
    .subscription(async function* ({ ctx, input, signal }) {
      const topic = input.poolId ? `pool:${input.poolId}` : '*';
      const lastEventId = input.lastEventId ? Number(input.lastEventId) : undefined;
      for await (const event of ctx.bus.subscribe(topic, { lastEventId, signal })) {
        if (topic === '*' && !event.topic.startsWith('pool:')) continue;
        yield tracked(String(event.id), event as BusEvent);
      }
    }),
});
