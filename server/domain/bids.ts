import { sql, type Kysely } from 'kysely';
import { tierProblems, type Tier } from '../../core/deal.ts';
import { normaliseDecimal } from '../../core/pricing.ts';
import type { Database } from '../db/schema.ts';
import type { EventBus } from '../events/bus.ts';
import { toBidView, toCampaignView, type BidView } from './campaigns.ts';
import { campaignTopic } from './notices.ts';
import { poolDemand } from './pools.ts';
import { refuse } from '../trpc/refusal.ts';

/**
 * The supplier's side: one bid per invitation, revised in place while the campaign is open for bids and
 * until one is accepted. What a supplier reads is aggregated demand only: counts, quantities, the curve
 * and the region, never a shopper, an intent or a listing.
 */

export interface SubmitBidInput {
  tiers: Tier[];
  validUntil: string;
  conditions?: string | undefined;
}

export async function submitBid(bus: EventBus, invitationId: string, campaignId: string, input: SubmitBidInput): Promise<BidView> {
  const problems = tierProblems(input.tiers);
  if (problems.length > 0) throw refuse('BAD_REQUEST', 'invalidTiers', { problems: problems.join('; ') });
  if (new Date(input.validUntil).getTime() <= Date.now()) {
    throw refuse('BAD_REQUEST', 'bidValidity');
  }
  const tiers = input.tiers.map((t) => ({ minQuantity: t.minQuantity, unitPrice: normaliseDecimal(t.unitPrice) }));
  return bus.transaction(async (trx) => {
    // Locked so a revision cannot slip in while the organiser accepts.
    const campaign = await trx.selectFrom('campaign').selectAll().where('id', '=', campaignId).forUpdate().executeTakeFirstOrThrow();
    if (campaign.state !== 'open') {
      throw refuse('PRECONDITION_FAILED', 'notOpenForBids');
    }
    const existing = await trx.selectFrom('bid').select(['id']).where('invitation_id', '=', invitationId).executeTakeFirst();
    if (existing && campaign.accepted_bid_id === existing.id) {
      throw refuse('PRECONDITION_FAILED', 'bidFinal');
    }
    const bid = await trx
      .insertInto('bid')
      .values({
        campaign_id: campaignId,
        invitation_id: invitationId,
        tiers: JSON.stringify(tiers),
        valid_until: input.validUntil,
        conditions: input.conditions ?? null,
      })
      .onConflict((oc) =>
        oc.column('invitation_id').doUpdateSet((eb) => ({
          tiers: JSON.stringify(tiers),
          valid_until: input.validUntil,
          conditions: input.conditions ?? null,
          revision: eb('bid.revision', '+', 1),
          updated_at: sql<Date>`now()`,
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    const invitation = await trx.selectFrom('supplier_invitation').select('supplier_name').where('id', '=', invitationId).executeTakeFirstOrThrow();
    const view = toBidView(bid, invitation.supplier_name);
    await bus.publish(trx, campaignTopic(campaignId), bid.revision === 1 ? 'bid.submitted' : 'bid.revised', view);
    return view;
  });
}

export async function supplierBid(db: Kysely<Database>, invitationId: string): Promise<BidView | null> {
  const bid = await db
    .selectFrom('bid')
    .innerJoin('supplier_invitation', 'supplier_invitation.id', 'bid.invitation_id')
    .selectAll('bid')
    .select('supplier_invitation.supplier_name')
    .where('bid.invitation_id', '=', invitationId)
    .executeTakeFirst();
  return bid ? toBidView(bid, bid.supplier_name) : null;
}

/** What the invitation link shows: the campaign and aggregated demand. Explicit shape: nothing else leaks. */
export async function supplierCampaignView(db: Kysely<Database>, invitationId: string, campaignId: string, maxPoints: number) {
  const campaign = await db.selectFrom('campaign').selectAll().where('id', '=', campaignId).executeTakeFirstOrThrow();
  const pool = await db.selectFrom('pool').selectAll().where('id', '=', campaign.pool_id).executeTakeFirstOrThrow();
  const product = await db
    .selectFrom('product')
    .select(['name', 'brand', 'gtin', 'mpn', 'image', 'category'])
    .where('id', '=', pool.product_id)
    .executeTakeFirstOrThrow();
  const [demand, bid, deal] = await Promise.all([
    poolDemand(db, pool, maxPoints),
    supplierBid(db, invitationId),
    db.selectFrom('deal').select(['id', 'state', 'bid_id', 'tier_reached', 'unit_price', 'confirmed_quantity', 'confirm_by']).where('campaign_id', '=', campaignId).executeTakeFirst(),
  ]);
  const view = toCampaignView(campaign);
  const mine = deal && bid && deal.bid_id === bid.id;
  return {
    campaign: { id: view.id, state: view.state, deadline: view.deadline, conditions: view.conditions, acceptedMine: Boolean(mine) },
    product,
    demand: {
      currency: pool.currency.trim(),
      region: pool.region,
      members: pool.member_count,
      quantity: Number(pool.total_quantity),
      curve: demand.curve,
      quartiles: demand.quartiles,
      open: demand.open,
    },
    myBid: bid,
    // The supplier whose bid was accepted follows the firm quantity (numbers only).
    deal:
      mine && deal
        ? {
            dealId: deal.id,
            state: deal.state,
            tierReached: deal.tier_reached,
            unitPrice: normaliseDecimal(String(deal.unit_price)),
            firmQuantity: Number(deal.confirmed_quantity),
            confirmBy: deal.confirm_by.toISOString(),
          }
        : null,
  };
}
