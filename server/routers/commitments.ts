import { z } from 'zod';
import { Decision, ShareContact } from '../../core/shopper-deal.ts';
import { respond, shopperDeal } from '../domain/deals.ts';
import { Id } from '../trpc/inputs.ts';
import { router, shopperProcedure } from '../trpc/procedures.ts';

export const commitmentsRouter = router({
  /**
   * Confirm or decline a deal. Idempotent; answering again changes the decision while the window is open,
   * after it closes: PRECONDITION_FAILED. Contact details (optional) go to the supplier only on confirmation.
   */
  respond: shopperProcedure
    .input(z.object({ dealId: Id, decision: Decision, shareContact: ShareContact.optional() }))
    .mutation(async ({ ctx, input }) => {
      await respond(ctx.bus, ctx.shopperId, input);
      return shopperDeal(ctx.db, ctx.shopperId, input.dealId);
    }),
});
