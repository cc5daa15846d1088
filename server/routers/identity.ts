import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import { Email, Password } from '../trpc/inputs.ts';
import { organiserProcedure, procedureFor, publicProcedure, router } from '../trpc/procedures.ts';
import { refuse } from '../trpc/refusal.ts';

/** Shoppers (anonymous, a token), organisers (e-mail + password, sessions), suppliers (invitation tokens). */
export const identityRouter = router({
  /** The extension's first run: an anonymous shopper and its secret token (shown once, stored hashed). */
  createShopper: publicProcedure.mutation(async ({ ctx }) => {
    const token = newToken('shopper');
    const row = await ctx.db.insertInto('shopper').values({ token_hash: hashToken(token) }).returning('id').executeTakeFirstOrThrow();
    return { shopperId: row.id, token };
  }),

  organiserSignUp: publicProcedure
    .input(z.object({ email: Email, password: Password, displayName: z.string().trim().min(1).max(100) }))
    .mutation(async ({ ctx, input }) => {
      const email = input.email.toLowerCase();
      const passwordHash = await hashPassword(input.password);
      const organiser = await ctx.db
        .insertInto('organiser')
        .values({ email, display_name: input.displayName, password_hash: passwordHash })
        .onConflict((oc) => oc.column('email').doNothing())
        .returning(['id', 'email', 'display_name'])
        .executeTakeFirst();
      if (!organiser) throw refuse('CONFLICT', 'organiserExists');
      const session = await openSession(ctx.db, organiser.id, ctx.sessionHours);
      return { organiser: { id: organiser.id, email: organiser.email, displayName: organiser.display_name }, ...session };
    }),

  organiserSignIn: publicProcedure
    .input(z.object({ email: Email, password: z.string().min(1).max(200) }))
    .mutation(async ({ ctx, input }) => {
      const organiser = await ctx.db
        .selectFrom('organiser')
        .select(['id', 'email', 'display_name', 'password_hash'])
        .where('email', '=', input.email.toLowerCase())
        .executeTakeFirst();
      // Same work whether the e-mail exists or not: the answer's timing reveals nothing.
      const ok = await verifyPassword(input.password, organiser?.password_hash ?? (await decoyPasswordHash()));
      if (!organiser || !ok) throw refuse('UNAUTHORIZED', 'wrongPassword');
      const session = await openSession(ctx.db, organiser.id, ctx.sessionHours);
      return { organiser: { id: organiser.id, email: organiser.email, displayName: organiser.display_name }, ...session };
    }),

  organiserSignOut: organiserProcedure.mutation(async ({ ctx }) => {
    await ctx.db.deleteFrom('organiser_session').where('token_hash', '=', ctx.sessionHash).execute();
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

async function openSession(db: Kysely<Database>, organiserId: string, hours: number) {
  const token = newToken('organiser');
  const expiresAt = new Date(Date.now() + hours * 3600_000);
  await db.insertInto('organiser_session').values({ token_hash: hashToken(token), organiser_id: organiserId, expires_at: expiresAt }).execute();
  // Expired sessions of this organiser are dropped as new ones open: the table does not grow forever.
  await db.deleteFrom('organiser_session').where('organiser_id', '=', organiserId).where('expires_at', '<', sql<Date>`now()`).execute();
  return { token, expiresAt: expiresAt.toISOString() };
}
