import { sql, type Kysely } from 'kysely';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import type { Database } from '../db/schema.ts';
import { refuse } from '../trpc/refusal.ts';

/**
 * Who calls: anonymous shoppers (a token, created on the extension's first action), organisers (e-mail and
 * password, sessions of a bounded length). Suppliers hold invitations (suppliers.ts). Every secret is
 * handed out once and stored hashed (auth/).
 */

/** An anonymous shopper and its secret token (shown once, stored hashed). */
export async function createShopper(db: Kysely<Database>): Promise<{ shopperId: string; token: string }> {
  const token = newToken('shopper');
  const row = await db.insertInto('shopper').values({ token_hash: hashToken(token) }).returning('id').executeTakeFirstOrThrow();
  return { shopperId: row.id, token };
}

export interface OrganiserSession {
  organiser: { id: string; email: string; displayName: string };
  token: string;
  expiresAt: string;
}

export async function signUpOrganiser(
  db: Kysely<Database>,
  input: { email: string; password: string; displayName: string },
  sessionHours: number,
): Promise<OrganiserSession> {
  const email = input.email.toLowerCase();
  const passwordHash = await hashPassword(input.password);
  const organiser = await db
    .insertInto('organiser')
    .values({ email, display_name: input.displayName, password_hash: passwordHash })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(['id', 'email', 'display_name'])
    .executeTakeFirst();
  if (!organiser) throw refuse('CONFLICT', 'organiserExists');
  const session = await openSession(db, organiser.id, sessionHours);
  return { organiser: { id: organiser.id, email: organiser.email, displayName: organiser.display_name }, ...session };
}

export async function signInOrganiser(
  db: Kysely<Database>,
  input: { email: string; password: string },
  sessionHours: number,
): Promise<OrganiserSession> {
  const organiser = await db
    .selectFrom('organiser')
    .select(['id', 'email', 'display_name', 'password_hash'])
    .where('email', '=', input.email.toLowerCase())
    .executeTakeFirst();
  // Same work whether the e-mail exists or not: the answer's timing reveals nothing.
  const ok = await verifyPassword(input.password, organiser?.password_hash ?? (await decoyPasswordHash()));
  if (!organiser || !ok) throw refuse('UNAUTHORIZED', 'wrongPassword');
  const session = await openSession(db, organiser.id, sessionHours);
  return { organiser: { id: organiser.id, email: organiser.email, displayName: organiser.display_name }, ...session };
}

/** Ends the session whose token hashes to `sessionHash`. */
export async function signOutOrganiser(db: Kysely<Database>, sessionHash: string): Promise<void> {
  await db.deleteFrom('organiser_session').where('token_hash', '=', sessionHash).execute();
}

async function openSession(db: Kysely<Database>, organiserId: string, hours: number): Promise<{ token: string; expiresAt: string }> {
  const token = newToken('organiser');
  const expiresAt = new Date(Date.now() + hours * 3600_000);
  await db.insertInto('organiser_session').values({ token_hash: hashToken(token), organiser_id: organiserId, expires_at: expiresAt }).execute();
  // Expired sessions of this organiser are dropped as new ones open: the table does not grow forever.
  await db.deleteFrom('organiser_session').where('organiser_id', '=', organiserId).where('expires_at', '<', sql<Date>`now()`).execute();
  return { token, expiresAt: expiresAt.toISOString() };
}
