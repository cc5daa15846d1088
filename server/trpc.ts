import { initTRPC } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { Refusal } from '../core/i18n/refusals.ts';
import type { Context } from './context.ts';
import { refuse, RefusalCause } from './refusal.ts';

/**
 * The tRPC building blocks, created once. Every procedure is built from `procedureFor(...roles)` (or one
 * of its named forms) so it declares who may call it, in its meta: the access matrix test reads it.
 */

export type Access = 'public' | 'shopper' | 'organiser' | 'supplier';
export interface Meta {
  access: readonly Access[];
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // Stack traces stay in the server's logs, never in answers.
    isDev: false,
    errorFormatter({ shape, error }) {
      const zodError = error.cause instanceof ZodError ? error.cause : null;
      // The refusal's key lets clients say it in their user's language (core/i18n/refusals.ts).
      const refusal: Refusal | null =
        error.cause instanceof RefusalCause
          ? error.cause.refusal
          : zodError
            ? { key: 'invalidInput', params: { details: z.prettifyError(zodError) } }
            : null;
      return {
        ...shape,
        // A readable sentence for people; the flattened issues for forms.
        message: zodError ? `Invalid input: ${z.prettifyError(zodError)}` : shape.message,
        data: { ...shape.data, zodError: zodError ? z.flattenError(zodError) : null, refusal },
      };
    },
    sse: {
      // Keeps proxies from closing idle streams; the client reconnects (with its last id) if pings stop.
      ping: { enabled: true, intervalMs: 15_000 },
      client: { reconnectAfterInactivityMs: 25_000 },
    },
  });

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

const rateLimited = t.middleware(({ ctx, next }) => {
  if (ctx.rateLimiter && !ctx.rateLimiter.take(ctx.clientKey)) {
    throw refuse('TOO_MANY_REQUESTS', 'tooManyRequests');
  }
  return next();
});

const ROLE_NAMES: Record<Exclude<Access, 'public'>, string> = {
  shopper: 'a shopper token',
  organiser: 'an organiser session',
  supplier: 'a supplier invitation',
};

function requireRole(roles: readonly Exclude<Access, 'public'>[]) {
  return t.middleware(({ ctx, next }) => {
    const { actor } = ctx;
    if (actor.role === 'anonymous') {
      throw refuse('UNAUTHORIZED', 'signInFirst', { needs: roles.map((r) => ROLE_NAMES[r]).join(' or ') });
    }
    if (!roles.includes(actor.role)) {
      throw refuse('FORBIDDEN', 'notAllowed', { role: actor.role });
    }
    return next({ ctx: { ...ctx, actor } });
  });
}

export const publicProcedure = t.procedure.meta({ access: ['public'] }).use(rateLimited);

/** A procedure open to any of `roles`; handlers read `ctx.actor` and narrow it by role. */
export function procedureFor(...roles: Exclude<Access, 'public'>[]) {
  return t.procedure.meta({ access: roles }).use(rateLimited).use(requireRole(roles));
}

export const shopperProcedure = t.procedure
  .meta({ access: ['shopper'] })
  .use(rateLimited)
  .use(requireRole(['shopper']))
  .use(({ ctx, next }) => {
    if (ctx.actor.role !== 'shopper') throw refuse('FORBIDDEN', 'notAllowed', { role: ctx.actor.role });
    return next({ ctx: { ...ctx, shopperId: ctx.actor.shopperId } });
  });

export const organiserProcedure = t.procedure
  .meta({ access: ['organiser'] })
  .use(rateLimited)
  .use(requireRole(['organiser']))
  .use(({ ctx, next }) => {
    if (ctx.actor.role !== 'organiser') throw refuse('FORBIDDEN', 'notAllowed', { role: ctx.actor.role });
    return next({ ctx: { ...ctx, organiserId: ctx.actor.organiserId, sessionHash: ctx.actor.sessionHash } });
  });

export const supplierProcedure = t.procedure
  .meta({ access: ['supplier'] })
  .use(rateLimited)
  .use(requireRole(['supplier']))
  .use(({ ctx, next }) => {
    if (ctx.actor.role !== 'supplier') throw refuse('FORBIDDEN', 'notAllowed', { role: ctx.actor.role });
    return next({ ctx: { ...ctx, invitationId: ctx.actor.invitationId, campaignId: ctx.actor.campaignId } });
  });
