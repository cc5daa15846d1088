import { z } from 'zod';
import { createShopper, signInOrganiser, signOutOrganiser, signUpOrganiser } from '../domain/identity.ts';
import { Email, Password } from '../trpc/inputs.ts';
import { organiserProcedure, procedureFor, publicProcedure, router } from '../trpc/procedures.ts';
import { refuse } from '../trpc/refusal.ts';

/** Shoppers (anonymous, a token), organisers (e-mail + password, sessions), suppliers (invitation tokens). */
export const identityRouter = router({
  /** The extension's first run: an anonymous shopper and its secret token (shown once, stored hashed). */
  createShopper: publicProcedure.mutation(({ ctx }) => createShopper(ctx.db)),

  organiserSignUp: publicProcedure
    .input(z.object({ email: Email, password: Password, displayName: z.string().trim().min(1).max(100) }))
    .mutation(({ ctx, input }) => signUpOrganiser(ctx.db, input, ctx.sessionHours)),

  organiserSignIn: publicProcedure
    .input(z.object({ email: Email, password: z.string().min(1).max(200) }))
    .mutation(({ ctx, input }) => signInOrganiser(ctx.db, input, ctx.sessionHours)),

  organiserSignOut: organiserProcedure.mutation(async ({ ctx }) => {
    await signOutOrganiser(ctx.db, ctx.sessionHash);
    return { signedOut: true };
  }),

  /** Who the token stands for. */
  me: procedureFor('shopper', 'organiser', 'supplier').query(({ ctx }) => {
    const { actor } = ctx;
    switch (actor.role) {
      case 'shopper':
        return { role: actor.role, id: actor.shopperId, campaignId: null };
      case 'organiser':
        return { role: actor.role, id: actor.organiserId, campaignId: null };
      case 'supplier':
        return { role: actor.role, id: actor.invitationId, campaignId: actor.campaignId };
      default:
        throw refuse('UNAUTHORIZED', 'signInFirst', { needs: 'a shopper token, an organiser session or a supplier invitation' });
    }
  }),
});
