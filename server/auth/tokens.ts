import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/**
 * Secrets and who holds them. Tokens are 256 random bits with a prefix naming the role (so a request
 * is resolved with one lookup); only their SHA-256 is stored, so a database leak gives no usable token.
 * (Organisers' passwords: passwords.ts.)
 */

export type Role = 'shopper' | 'organiser' | 'supplier';
export const TOKEN_PREFIX: Record<Role, string> = { shopper: 'shp_', organiser: 'org_', supplier: 'sup_' };
const TOKEN_PATTERN = /^(shp|org|sup)_[A-Za-z0-9_-]{43}$/;

export function newToken(role: Role): string {
  return `${TOKEN_PREFIX[role]}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export type Actor =
  | { role: 'anonymous' }
  | { role: 'shopper'; shopperId: string }
  | { role: 'organiser'; organiserId: string; sessionHash: string }
  | { role: 'supplier'; invitationId: string; campaignId: string };

/** A small bounded cache of shopper tokens: a shopper's token never changes, and every sync call needs it. */
const SHOPPER_CACHE_SIZE = 50_000;
const shopperCache = new Map<string, string>();

/** The actor a bearer token stands for; anonymous when absent, malformed, unknown or expired. */
export async function authenticate(db: Kysely<Database>, token: string | undefined): Promise<Actor> {
  if (!token || !TOKEN_PATTERN.test(token)) return { role: 'anonymous' };
  const hash = hashToken(token);
  if (token.startsWith(TOKEN_PREFIX.shopper)) {
    const cached = shopperCache.get(hash);
    if (cached) return { role: 'shopper', shopperId: cached };
    const row = await db.selectFrom('shopper').select('id').where('token_hash', '=', hash).executeTakeFirst();
    if (!row) return { role: 'anonymous' };
    if (shopperCache.size >= SHOPPER_CACHE_SIZE) shopperCache.delete(shopperCache.keys().next().value!);
    shopperCache.set(hash, row.id);
    return { role: 'shopper', shopperId: row.id };
  }
  if (token.startsWith(TOKEN_PREFIX.organiser)) {
    const row = await db
      .selectFrom('organiser_session')
      .select('organiser_id')
      .where('token_hash', '=', hash)
      .where('expires_at', '>', new Date())
      .executeTakeFirst();
    return row ? { role: 'organiser', organiserId: row.organiser_id, sessionHash: hash } : { role: 'anonymous' };
  }
  const row = await db
    .selectFrom('supplier_invitation')
    .select(['id', 'campaign_id'])
    .where('token_hash', '=', hash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  return row ? { role: 'supplier', invitationId: row.id, campaignId: row.campaign_id } : { role: 'anonymous' };
}

/** Forgets a shopper's cached token (when the shopper is deleted). */
export function forgetShopperToken(hash: string): void {
  shopperCache.delete(hash);
}
