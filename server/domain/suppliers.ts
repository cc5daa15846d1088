import { sql, type Kysely } from 'kysely';
import { hashToken, newToken } from '../auth/tokens.ts';
import type { Database } from '../db/schema.ts';

/**
 * A supplier's access: an invitation token scoped to one campaign (the link an organiser sends). The
 * negotiation issue exposes this through the campaign procedures; identity and the supplier role live here.
 */
export async function createSupplierInvitation(
  db: Kysely<Database>,
  campaignId: string,
  supplierName: string,
  validDays = 30,
): Promise<{ invitationId: string; token: string; expiresAt: Date }> {
  const token = newToken('supplier');
  const expiresAt = new Date(Date.now() + validDays * 86_400_000);
  const row = await db
    .insertInto('supplier_invitation')
    .values({ campaign_id: campaignId, token_hash: hashToken(token), supplier_name: supplierName, expires_at: expiresAt, revoked_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { invitationId: row.id, token, expiresAt };
}

export async function revokeSupplierInvitation(db: Kysely<Database>, invitationId: string): Promise<void> {
  await db.updateTable('supplier_invitation').set({ revoked_at: sql<Date>`now()` }).where('id', '=', invitationId).execute();
}
