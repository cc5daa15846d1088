import { z } from 'zod';
import { handoffFor } from '../domain/handoff.ts';
import { closeDeal, organiserDeal, shopperDeal, shopperDeals, toDealView } from '../domain/deals.ts';
import { Id, Limit } from '../trpc/inputs.ts';
import { organiserProcedure, procedureFor, router, shopperProcedure } from '../trpc/procedures.ts';
import { refuse } from '../trpc/refusal.ts';

export const dealsRouter = router({
  /** The shopper's deals (of pools they joined, or deals they answered), newest first. */
  mine: shopperProcedure
    .input(z.object({ limit: Limit(200, 100) }).default({ limit: 100 }))
    .query(({ ctx, input }) => shopperDeals(ctx.db, ctx.shopperId, input.limit)),

  /** One deal: a shopper sees it as in `mine`; an organiser sees the campaign's deal with its counts. */
  get: procedureFor('shopper', 'organiser')
    .input(z.object({ dealId: Id }))
    .query(async ({ ctx, input }) => {
      const { actor } = ctx;
      if (actor.role === 'shopper') return { role: 'shopper' as const, deal: await shopperDeal(ctx.db, actor.shopperId, input.dealId) };
      if (actor.role !== 'organiser') throw refuse('FORBIDDEN', 'notAllowed', { role: actor.role });
      const { deal } = await organiserDeal(ctx.db, actor.organiserId, input.dealId);
      return { role: 'organiser' as const, deal: toDealView(deal) };
    }),

  /** Ends the confirmation window now: closed with enough firm quantity, failed without. */
  close: organiserProcedure
    .input(z.object({ dealId: Id }))
    .mutation(async ({ ctx, input }) => toDealView(await closeDeal(ctx.bus, input.dealId, ctx.organiserId))),

  /** The confirmed order list as JSON (CSV: GET /handoff/<dealId>.csv with the same token). */
  handoff: procedureFor('organiser', 'supplier')
    .input(z.object({ dealId: Id }))
    .query(({ ctx, input }) => handoffFor(ctx.db, ctx.actor, input.dealId)),
});
