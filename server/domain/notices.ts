import { sql, type Kysely, type Transaction } from 'kysely';
import { interestKey, productWords } from '../../core/deal.ts';
import type { ShopperNotice } from '../../core/shopper-deal.ts';
import type { Database } from '../db/schema.ts';

/**
 * What shoppers hear about deals (a ShopperNotice, core/shopper-deal.ts). Each notice is one event row per
 * shopper on the topic `shopper:<id>` (fan-out on write, in one INSERT … SELECT inside the transaction that
 * caused it): a shopper's subscription then reads only its own topic, resumes by event id from an index,
 * and never sees another shopper's notices. Organisers follow `campaign:<id>`, which carries counts, never
 * identities.
 */

type Db = Kysely<Database> | Transaction<Database>;

export const shopperTopic = (shopperId: string) => `shopper:${shopperId}`;
export const campaignTopic = (campaignId: string) => `campaign:${campaignId}`;

/**
 * Notifies every member of a deal: shoppers with a live intent in its pool, and those who already
 * answered (a member who withdrew after confirming still hears how the deal ends). Returns how many.
 */
export async function noticeDealMembers(
  db: Db,
  deal: { id: string; pool_id: string },
  notice: ShopperNotice,
  options: { onlyUndecided?: boolean } = {},
): Promise<number> {
  const payload = JSON.stringify(notice);
  const undecided = options.onlyUndecided ?? false;
  const result = await sql`
    insert into event (topic, type, payload)
    select 'shopper:' || m.shopper_id, ${notice.type}, ${payload}::jsonb
    from (
      select shopper_id from intent where pool_id = ${deal.pool_id} and status = 'live'
      union
      select shopper_id from commitment where deal_id = ${deal.id}
    ) m
    where not ${undecided} or not exists (
      select 1 from commitment c where c.deal_id = ${deal.id} and c.shopper_id = m.shopper_id
    )
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Notifies shoppers whose interests match a product: its category, or a keyword that is a word (or words) of its name. */
export async function noticeInterestedShoppers(
  db: Db,
  product: { name: string; category: string | null },
  notice: ShopperNotice,
): Promise<number> {
  const payload = JSON.stringify(notice);
  const category = product.category ? interestKey({ kind: 'category', value: product.category }) : null;
  // " word word " so a keyword matches whole words only; the keys are stored in the same form.
  const words = productWords(product.name);
  const result = await sql`
    insert into event (topic, type, payload)
    select distinct 'shopper:' || shopper_id, ${notice.type}, ${payload}::jsonb
    from interest
    where (kind = 'category' and value = ${category})
       or (kind = 'keyword' and position(' ' || value || ' ' in ${words}) > 0)
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
