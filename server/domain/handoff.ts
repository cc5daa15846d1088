import type { Kysely } from 'kysely';
import { normaliseDecimal } from '../../core/pricing.ts';
import type { Actor } from '../auth/tokens.ts';
import type { Database } from '../db/schema.ts';
import { refuse } from '../trpc/refusal.ts';

/**
 * The hand-off: once a deal is closed, the confirmed order list for the supplier. Quantities for every
 * confirmed member; a name, e-mail and address only for members who confirmed and chose to share them.
 * Lines are numbered, never labelled with a shopper id. Readable by the campaign's organiser and by the
 * supplier whose bid was accepted.
 */

export interface HandoffLine {
  line: number;
  quantity: number;
  name: string | null;
  email: string | null;
  address: string | null;
}

export interface Handoff {
  dealId: string;
  campaignId: string;
  product: { name: string; brand: string | null; gtin: string | null; mpn: string | null };
  currency: string;
  unitPrice: string;
  tierReached: number;
  firmQuantity: number;
  closedAt: string;
  lines: HandoffLine[];
}

export async function handoffFor(db: Kysely<Database>, actor: Actor, dealId: string): Promise<Handoff> {
  const deal = await db.selectFrom('deal').selectAll().where('id', '=', dealId).executeTakeFirst();
  const campaign = deal ? await db.selectFrom('campaign').select(['id', 'organiser_id']).where('id', '=', deal.campaign_id).executeTakeFirst() : undefined;
  let allowed = false;
  if (deal && campaign) {
    if (actor.role === 'organiser') allowed = campaign.organiser_id === actor.organiserId;
    if (actor.role === 'supplier') {
      const bid = await db.selectFrom('bid').select('invitation_id').where('id', '=', deal.bid_id).executeTakeFirst();
      allowed = actor.campaignId === campaign.id && bid?.invitation_id === actor.invitationId;
    }
  }
  if (!deal || !allowed) throw refuse('NOT_FOUND', 'noSuchDeal');
  if (deal.state !== 'closed' || !deal.closed_at) {
    throw refuse('PRECONDITION_FAILED', 'orderListAfterClose');
  }
  const pool = await db.selectFrom('pool').select('product_id').where('id', '=', deal.pool_id).executeTakeFirstOrThrow();
  const product = await db.selectFrom('product').select(['name', 'brand', 'gtin', 'mpn']).where('id', '=', pool.product_id).executeTakeFirstOrThrow();
  const commitments = await db
    .selectFrom('commitment')
    .select(['quantity', 'contact', 'created_at'])
    .where('deal_id', '=', deal.id)
    .where('decision', '=', 'confirmed')
    .orderBy('created_at')
    .orderBy('shopper_id')
    .execute();
  return {
    dealId: deal.id,
    campaignId: deal.campaign_id,
    product,
    currency: deal.currency.trim(),
    unitPrice: normaliseDecimal(String(deal.unit_price)),
    tierReached: deal.tier_reached,
    firmQuantity: Number(deal.confirmed_quantity),
    closedAt: deal.closed_at.toISOString(),
    lines: commitments.map((c, i) => ({
      line: i + 1,
      quantity: c.quantity,
      name: c.contact?.name ?? null,
      email: c.contact?.email ?? null,
      address: c.contact?.address ?? null,
    })),
  };
}

/**
 * One CSV cell: quoted when it holds a separator, a quote or a line break; and a cell a spreadsheet would
 * run as a formula (starting with = + - @, or a tab or carriage return) gets a leading apostrophe.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n;]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function handoffCsv(handoff: Handoff): string {
  const header = ['line', 'product', 'gtin', 'quantity', 'unit_price', 'currency', 'name', 'email', 'address'];
  const rows = handoff.lines.map((l) => [
    l.line,
    handoff.product.name,
    handoff.product.gtin,
    l.quantity,
    handoff.unitPrice,
    handoff.currency,
    l.name,
    l.email,
    l.address,
  ]);
  // CRLF line ends (RFC 4180), and a BOM so spreadsheets read accents as UTF-8.
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
