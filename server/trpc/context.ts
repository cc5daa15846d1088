import type { Kysely } from 'kysely';
import { authenticate, hashToken, type Actor } from '../auth/tokens.ts';
import type { Database } from '../db/schema.ts';
import type { EventBus } from '../events/bus.ts';
import type { RateLimiter } from './rate-limit.ts';

/** What every procedure receives. Built per request by the HTTP layer, or directly by tests. */
export interface Context {
  db: Kysely<Database>;
  bus: EventBus;
  actor: Actor;
  /** Rate-limit key: the token's hash, else the client's address. */
  clientKey: string;
  rateLimiter: RateLimiter | null;
  sessionHours: number;
}

export interface InnerContextOptions {
  db: Kysely<Database>;
  bus: EventBus;
  actor?: Actor;
  clientKey?: string;
  rateLimiter?: RateLimiter | null;
  sessionHours?: number;
}

/** Pure: no request needed. Tests use it with createCaller. */
export function createContextInner(options: InnerContextOptions): Context {
  return {
    db: options.db,
    bus: options.bus,
    actor: options.actor ?? { role: 'anonymous' },
    clientKey: options.clientKey ?? 'test',
    rateLimiter: options.rateLimiter ?? null,
    sessionHours: options.sessionHours ?? 24 * 14,
  };
}

/**
 * Reads `Authorization: Bearer <token>`. A browser's EventSource cannot send headers, so subscriptions may
 * pass the token in tRPC's connection params instead (`httpSubscriptionLink({ connectionParams })`).
 */
export function bearerToken(
  authorization: string | undefined,
  connectionParams?: Record<string, string | undefined> | null,
): string | undefined {
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  if (match) return match[1];
  const token = connectionParams?.token;
  return typeof token === 'string' ? token : undefined;
}

export async function createRequestContext(
  base: Omit<InnerContextOptions, 'actor' | 'clientKey'>,
  request: { authorization: string | undefined; connectionParams: Record<string, string | undefined> | null; ip: string },
): Promise<Context> {
  const token = bearerToken(request.authorization, request.connectionParams);
  const actor = await authenticate(base.db, token);
  const clientKey = token && actor.role !== 'anonymous' ? hashToken(token) : `ip:${request.ip}`;
  return createContextInner({ ...base, actor, clientKey });
}
