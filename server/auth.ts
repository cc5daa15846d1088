import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.ts';

/**
 * Secrets and who holds them. Tokens are 256 random bits with a prefix naming the role (so a request
 * is resolved with one lookup); only their SHA-256 is stored, so a database leak gives no usable token.
 * Passwords use scrypt, slow on purpose, compared in constant time.
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

// scrypt parameters: N=2^15, r=8 costs ~50-100 ms and 32 MiB here, a fair price for a sign-in.
const SCRYPT: ScryptOptions = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`, so the cost can be raised later without breaking stored hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem };
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), options);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of a password nobody has: checked against when the e-mail is unknown, so timing tells nothing. */
let decoy: Promise<string> | null = null;
export function decoyPasswordHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}
