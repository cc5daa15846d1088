import { z } from 'zod';
import { respond, shopperDeal } from '../domain/deals.ts';
import { Email, Id } from '../trpc/inputs.ts';
import { router, shopperProcedure } from '../trpc/procedures.ts';

export const Contact = z.object({
  name: z.string().trim().min(1).max(200),
  email: Email,
  address: z.string().trim().min(1).max(1000).optional(),
});

export const commitmentsRouter = router({
  /**
   * Confirm or decline a deal. Idempotent; answering again changes the decision while the window is open,
   * after it closes: PRECONDITION_FAILED. Contact details (optional) go to the supplier only on confirmation.
   */
  respond: shopperProcedure
    .input(z.object({ dealId: Id, decision: z.enum(['confirm', 'decline']), shareContact: Contact.optional() }))
    .mutation(async ({ ctx, input }) => {
      await respond(ctx.bus, ctx.shopperId, input);
      return shopperDeal(ctx.db, ctx.shopperId, input.dealId);
    }),
});
