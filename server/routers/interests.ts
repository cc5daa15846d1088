import { z } from 'zod';
import { listInterests, MAX_INTERESTS, setInterests } from '../domain/interests.ts';
import { router, shopperProcedure } from '../trpc/procedures.ts';

const Interest = z.object({ kind: z.enum(['category', 'keyword']), value: z.string().trim().min(1).max(80) });

export const interestsRouter = router({
  list: shopperProcedure.query(({ ctx }) => listInterests(ctx.db, ctx.shopperId)),
  /** Replaces the shopper's interests (at most 50); returns them as stored (normalised). */
  set: shopperProcedure
    .input(z.object({ interests: z.array(Interest).max(MAX_INTERESTS, `at most ${MAX_INTERESTS} interests`) }))
    .mutation(({ ctx, input }) => setInterests(ctx.db, ctx.shopperId, input.interests)),
});
