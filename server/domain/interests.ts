import type { Kysely } from 'kysely';
import { interestKey, type Interest } from '../../core/deal.ts';
import type { Database } from '../db/schema.ts';

/** A shopper's interests (categories and keywords), replaced as a whole; stored normalised for matching. */

export const MAX_INTERESTS = 50;

export async function listInterests(db: Kysely<Database>, shopperId: string): Promise<Interest[]> {
  const rows = await db.selectFrom('interest').select(['kind', 'value']).where('shopper_id', '=', shopperId).orderBy('kind').orderBy('value').execute();
  return rows.map((r) => ({ kind: r.kind, value: r.value }));
}

export async function setInterests(db: Kysely<Database>, shopperId: string, interests: readonly Interest[]): Promise<Interest[]> {
  const unique = new Map<string, Interest>();
  for (const interest of interests) {
    const value = interestKey(interest);
    if (value) unique.set(`${interest.kind}:${value}`, { kind: interest.kind, value });
  }
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('interest').where('shopper_id', '=', shopperId).execute();
    if (unique.size > 0) {
      await trx
        .insertInto('interest')
        .values([...unique.values()].map((i) => ({ shopper_id: shopperId, kind: i.kind, value: i.value })))
        .execute();
    }
  });
  return listInterests(db, shopperId);
}
