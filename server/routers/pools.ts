import { tracked } from '@trpc/server';
import { z } from 'zod';
import type { BusEvent } from '../events/bus.ts';
import { poolDemandSummary, poolDetail, rankedPools } from '../domain/pools.ts';
import { Currency, EventId, Id, Limit, Region } from '../trpc/inputs.ts';
import { organiserProcedure, procedureFor, router } from '../trpc/procedures.ts';

export const poolsRouter = router({
  /** A pool in full: members, quantity, demand curve, price quartiles, and the market prices of its product. */
  get: procedureFor('shopper', 'organiser')
    .input(z.object({ poolId: Id, maxPoints: z.number().int().min(2).max(1000).default(200) }))
    .query(({ ctx, input }) => poolDetail(ctx.db, input.poolId, input.maxPoints)),

  /** Only the demand curve and quartiles (what the dashboard's chart polls). */
  demand: procedureFor('shopper', 'organiser')
    .input(z.object({ poolId: Id, maxPoints: z.number().int().min(2).max(1000).default(200) }))
    .query(({ ctx, input }) => poolDemandSummary(ctx.db, input.poolId, input.maxPoints)),

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
    .query(({ ctx, input }) => rankedPools(ctx.db, input)),

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
