import { initTRPC } from '@trpc/server';
import { z, ZodError } from 'zod';
import { refusalText, type Refusal } from '../../core/i18n/refusals.ts';
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
        // A readable sentence for people ("Invalid input: …" for bad input); the flattened issues for forms.
        message: zodError && refusal ? refusalText(refusal, 'en') : shape.message,
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

/** Refuses a caller over its rate. */
function limitRate(ctx: Context): void {
  if (ctx.rateLimiter && !ctx.rateLimiter.take(ctx.clientKey)) {
    throw refuse('TOO_MANY_REQUESTS', 'tooManyRequests');
  }
}

const rateLimited = t.middleware(({ ctx, next }) => {
  limitRate(ctx);
  return next();
});

const ROLE_NAMES: Record<Exclude<Access, 'public'>, string> = {
  shopper: 'a shopper token',
  organiser: 'an organiser session',
  supplier: 'a supplier invitation',
};

type Role = Exclude<Access, 'public'>;
type ActorOf<R extends Role> = Extract<Context['actor'], { role: R }>;

/** The caller, when it is one of `roles`; else the refusal (not signed in, or the wrong role). */
function actorIn<R extends Role>(ctx: Context, roles: readonly R[]): ActorOf<R> {
  const { actor } = ctx;
  if (actor.role === 'anonymous') {
    throw refuse('UNAUTHORIZED', 'signInFirst', { needs: roles.map((r) => ROLE_NAMES[r]).join(' or ') });
  }
  if (!(roles as readonly Role[]).includes(actor.role)) throw refuse('FORBIDDEN', 'notAllowed', { role: actor.role });
  return actor as ActorOf<R>;
}

// Each procedure has one middleware: the rate, then the role, then the role's ids in the context.

export const publicProcedure = t.procedure.meta({ access: ['public'] }).use(rateLimited);

/** A procedure open to any of `roles`; handlers read `ctx.actor` and narrow it by role. */
export function procedureFor(...roles: Role[]) {
  return t.procedure.meta({ access: roles }).use(({ ctx, next }) => {
    limitRate(ctx);
    return next({ ctx: { ...ctx, actor: actorIn(ctx, roles) } });
  });
}

export const shopperProcedure = t.procedure.meta({ access: ['shopper'] }).use(({ ctx, next }) => {
  limitRate(ctx);
  const actor = actorIn(ctx, ['shopper']);
  return next({ ctx: { ...ctx, actor, shopperId: actor.shopperId } });
});

export const organiserProcedure = t.procedure.meta({ access: ['organiser'] }).use(({ ctx, next }) => {
  limitRate(ctx);
  const actor = actorIn(ctx, ['organiser']);
  return next({ ctx: { ...ctx, actor, organiserId: actor.organiserId, sessionHash: actor.sessionHash } });
});

export const supplierProcedure = t.procedure.meta({ access: ['supplier'] }).use(({ ctx, next }) => {
  limitRate(ctx);
  const actor = actorIn(ctx, ['supplier']);
  return next({ ctx: { ...ctx, actor, invitationId: actor.invitationId, campaignId: actor.campaignId } });
});
