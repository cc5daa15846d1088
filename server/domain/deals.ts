import { sql, type Kysely, type Transaction } from 'kysely';
import {
  DEFAULT_CATEGORY,
  dealUnitPrice,
  nextTierReached,
  tierFor,
  transition,
  type CampaignAction,
  type CampaignState,
  type Tier,
} from '../../core/deal.ts';
import { normaliseDecimal } from '../../core/pricing.ts';
import type { Decision, NoticeType, ShareContact, ShopperDeal, ShopperNotice } from '../../core/shopper-deal.ts';
import type { Campaign, Database, Deal } from '../db/schema.ts';
import type { EventBus } from '../events/bus.ts';
import { campaignTopic, noticeDealMembers } from './notices.ts';
import { refuse } from '../trpc/refusal.ts';

/**
 * Deals: an accepted bid, live. A deal forms exactly once per campaign: the formation locks the campaign
 * row, re-checks its state and the pool's quantity under that lock, and inserts the deal under a unique
 * constraint on campaign_id. The price is stored once on the deal (tier_reached, unit_price): every
 * member pays it, and when a cheaper tier is reached it changes for all of them at once.
 */

type Db = Kysely<Database> | Transaction<Database>;

/** Checks a campaign transition with core/deal.ts, or throws the tRPC error a client can show. */
export function checkTransition(from: CampaignState, action: CampaignAction): CampaignState {
  const result = transition(from, action);
  if (!result.ok) throw refuse('PRECONDITION_FAILED', 'campaignState', { reason: result.reason });
  return result.to;
}

export interface DealView {
  dealId: string;
  campaignId: string;
  poolId: string;
  state: Deal['state'];
  currency: string;
  /** The price of the tier reached: the same for every member. */
  unitPrice: string;
  tiers: Tier[];
  tierReached: number;
  firmQuantity: number;
  confirmedMembers: number;
  declinedMembers: number;
  confirmBy: string;
  formedAt: string;
  closedAt: string | null;
}

export function toDealView(deal: Deal): DealView {
  return {
    dealId: deal.id,
    campaignId: deal.campaign_id,
    poolId: deal.pool_id,
    state: deal.state,
    currency: deal.currency.trim(),
    unitPrice: normaliseDecimal(deal.unit_price),
    tiers: deal.tiers,
    tierReached: deal.tier_reached,
    firmQuantity: Number(deal.confirmed_quantity),
    confirmedMembers: deal.confirmed_members,
    declinedMembers: deal.declined_members,
    confirmBy: deal.confirm_by.toISOString(),
    formedAt: deal.formed_at.toISOString(),
    closedAt: deal.closed_at?.toISOString() ?? null,
  };
}

/** When "the window closes soon" is announced: a quarter of the window before its end, at most 6 hours before. */
export function closingLeadMs(windowMs: number): number {
  return Math.min(windowMs / 4, 6 * 3_600_000);
}

// ---- Formation ----------------------------------------------------------------------------------

/**
 * Forms the deal of `campaignId` if its pool has reached the accepted bid's first tier. Safe to call from
 * anywhere, any number of times, from any process: exactly one call forms it, the others return null.
 */
export async function formDeal(bus: EventBus, campaignId: string): Promise<Deal | null> {
  return bus.transaction(async (trx) => {
    const campaign = await trx.selectFrom('campaign').selectAll().where('id', '=', campaignId).forUpdate().executeTakeFirst();
    if (!campaign || campaign.state !== 'open' || !campaign.accepted_bid_id) return null;
    const bid = await trx
      .selectFrom('bid')
      .selectAll()
      .select(sql<boolean>`valid_until > now()`.as('valid'))
      .where('id', '=', campaign.accepted_bid_id)
      .executeTakeFirstOrThrow();
    // A supplier's offer holds until its validity: past it, no deal forms on it (the organiser may accept another).
    if (!bid.valid) return null;
    // Read after taking the lock: read committed sees every join committed so far.
    const pool = await trx.selectFrom('pool').selectAll().where('id', '=', campaign.pool_id).executeTakeFirstOrThrow();
    const tiers = bid.tiers;
    const first = tiers[0];
    if (!first || Number(pool.total_quantity) < first.minQuantity) return null;
    checkTransition(checkTransition(campaign.state, 'form'), 'start-confirming');

    const product = await trx.selectFrom('product').select(['name', 'category']).where('id', '=', pool.product_id).executeTakeFirstOrThrow();
    const windowMs = campaign.confirm_window_seconds * 1000;
    const now = await dbNow(trx);
    const confirmBy = new Date(now.getTime() + windowMs);
    const closingAt = new Date(confirmBy.getTime() - closingLeadMs(windowMs));
    const deal = await trx
      .insertInto('deal')
      .values({
        campaign_id: campaign.id,
        bid_id: bid.id,
        pool_id: pool.id,
        category: product.category ?? DEFAULT_CATEGORY,
        currency: pool.currency,
        tiers: JSON.stringify(tiers),
        tier_reached: 0,
        unit_price: dealUnitPrice(tiers, 0),
        confirm_by: confirmBy,
        closing_at: closingAt,
        confirmed_quantity: 0,
        members_at_close: null,
        dropped_at_close: null,
        closed_at: null,
      })
      // The unique constraint is the second guard: a deal row can exist once per campaign.
      .onConflict((oc) => oc.column('campaign_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!deal) return null;
    await trx.updateTable('campaign').set({ state: 'confirming', updated_at: now }).where('id', '=', campaign.id).execute();
    const view = toDealView(deal);
    await bus.publish(trx, campaignTopic(campaign.id), 'deal.formed', {
      ...view,
      poolQuantity: Number(pool.total_quantity),
      poolMembers: pool.member_count,
    });
    await noticeDealMembers(trx, deal, dealNotice('deal.formed', view, product.name));
    return deal;
  });
}

/** What a member's notice about a deal says: the extension shows it and keeps the deal from it. */
function dealNotice(type: NoticeType, view: DealView, productName: string, extra: Pick<ShopperNotice, 'outcome'> = {}): ShopperNotice {
  return {
    type,
    dealId: view.dealId,
    campaignId: view.campaignId,
    productName,
    unitPrice: view.unitPrice,
    currency: view.currency,
    confirmBy: view.confirmBy,
    ...extra,
  };
}

async function dbNow(db: Db): Promise<Date> {
  const row = await sql<{ now: Date }>`select now() as now`.execute(db);
  return new Date(row.rows[0]!.now);
}

/** The open campaign with an accepted bid waiting on this pool, if any. */
export async function awaitingCampaign(db: Db, poolId: string): Promise<string | null> {
  const row = await db
    .selectFrom('campaign')
    .select('id')
    .where('pool_id', '=', poolId)
    .where('state', '=', 'open')
    .where('accepted_bid_id', 'is not', null)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Tells members who joined the pool after the deal formed (they are members too: they may confirm). Locks
 * the deal row, so engines of several processes reacting to the same join notify each shopper once.
 */
export async function noticeLateMembers(bus: EventBus, dealId: string): Promise<number> {
  return bus.transaction(async (trx) => {
    const deal = await trx.selectFrom('deal').selectAll().where('id', '=', dealId).forUpdate().executeTakeFirst();
    if (!deal || deal.state !== 'confirming') return 0;
    const product = await productOfPool(trx, deal.pool_id);
    const view = toDealView(deal);
    const notice = dealNotice('deal.formed', view, product.name);
    const result = await sql`
      insert into event (topic, type, payload)
      select 'shopper:' || i.shopper_id, 'deal.formed', ${JSON.stringify(notice)}::jsonb
      from intent i
      where i.pool_id = ${deal.pool_id} and i.status = 'live'
        and not exists (
          select 1 from event e
          where e.topic = 'shopper:' || i.shopper_id and e.type = 'deal.formed' and e.payload->>'dealId' = ${deal.id}
        )
    `.execute(trx);
    return Number(result.numAffectedRows ?? 0);
  });
}

// ---- Commitments --------------------------------------------------------------------------------

export interface RespondInput {
  dealId: string;
  decision: Decision;
  shareContact?: ShareContact | undefined;
}

/**
 * A member confirms or declines. Idempotent: the same answer again changes nothing; a different one
 * replaces the first while the window is open. The deal row is locked, so counts stay exact under any
 * number of concurrent answers, and a tier crossed by the confirmed quantity is announced once.
 */
export async function respond(bus: EventBus, shopperId: string, input: RespondInput): Promise<Deal> {
  return bus.transaction(async (trx) => {
    const locked = await trx
      .selectFrom('deal')
      .selectAll()
      .select(sql<boolean>`confirm_by > now()`.as('window_open'))
      .where('id', '=', input.dealId)
      .forUpdate()
      .executeTakeFirst();
    if (!locked) throw refuse('NOT_FOUND', 'noSuchDeal');
    const { window_open: windowOpen, ...deal } = locked;
    if (deal.state !== 'confirming' || !windowOpen) {
      throw refuse('PRECONDITION_FAILED', 'confirmationClosed');
    }
    const [intent, previous] = await Promise.all([
      trx
        .selectFrom('intent')
        .select(['id', 'quantity'])
        .where('pool_id', '=', deal.pool_id)
        .where('shopper_id', '=', shopperId)
        .where('status', '=', 'live')
        .executeTakeFirst(),
      trx.selectFrom('commitment').selectAll().where('deal_id', '=', deal.id).where('shopper_id', '=', shopperId).executeTakeFirst(),
    ]);
    if (!intent && !previous) throw refuse('FORBIDDEN', 'notADealMember');
    const decision = input.decision === 'confirm' ? 'confirmed' : 'declined';
    const quantity = intent?.quantity ?? previous!.quantity;
    const contact = decision === 'confirmed' ? (input.shareContact ?? null) : null;
    const same =
      previous &&
      previous.decision === decision &&
      previous.quantity === quantity &&
      JSON.stringify(previous.contact ?? null) === JSON.stringify(contact);
    if (same) return deal;

    await trx
      .insertInto('commitment')
      .values({
        deal_id: deal.id,
        shopper_id: shopperId,
        intent_id: intent?.id ?? previous?.intent_id ?? null,
        quantity,
        decision,
        contact: contact ? JSON.stringify(contact) : null,
      })
      .onConflict((oc) =>
        oc.columns(['deal_id', 'shopper_id']).doUpdateSet({
          quantity,
          decision,
          contact: contact ? JSON.stringify(contact) : null,
          intent_id: intent?.id ?? previous?.intent_id ?? null,
          updated_at: sql<Date>`now()`,
        }),
      )
      .execute();

    const wasConfirmed = previous?.decision === 'confirmed';
    const wasDeclined = previous?.decision === 'declined';
    const confirmedMembers = deal.confirmed_members - (wasConfirmed ? 1 : 0) + (decision === 'confirmed' ? 1 : 0);
    const confirmedQuantity =
      Number(deal.confirmed_quantity) - (wasConfirmed ? previous.quantity : 0) + (decision === 'confirmed' ? quantity : 0);
    const declinedMembers = deal.declined_members - (wasDeclined ? 1 : 0) + (decision === 'declined' ? 1 : 0);
    const tierReached = nextTierReached(deal.tiers, deal.tier_reached, confirmedQuantity);
    const updated = await trx
      .updateTable('deal')
      .set({
        confirmed_members: confirmedMembers,
        confirmed_quantity: confirmedQuantity,
        declined_members: declinedMembers,
        tier_reached: tierReached,
        unit_price: dealUnitPrice(deal.tiers, tierReached),
      })
      .where('id', '=', deal.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = toDealView(updated);
    const topic = campaignTopic(deal.campaign_id);
    await bus.publish(trx, topic, 'deal.commitment', {
      dealId: deal.id,
      firmQuantity: view.firmQuantity,
      confirmedMembers,
      declinedMembers,
      tierReached,
    });
    if (tierReached > deal.tier_reached) {
      await bus.publish(trx, topic, 'deal.tier-dropped', { ...view, previousTier: deal.tier_reached, previousUnitPrice: normaliseDecimal(deal.unit_price) });
      const product = await productOfPool(trx, deal.pool_id);
      await noticeDealMembers(trx, updated, dealNotice('deal.tier-dropped', view, product.name));
    }
    return updated;
  });
}

async function productOfPool(db: Db, poolId: string): Promise<{ id: string; name: string; image: string | null; category: string | null }> {
  return db
    .selectFrom('pool')
    .innerJoin('product', 'product.id', 'pool.product_id')
    .select(['product.id', 'product.name', 'product.image', 'product.category'])
    .where('pool.id', '=', poolId)
    .executeTakeFirstOrThrow();
}

// ---- The window and the close -------------------------------------------------------------------

/** Announces once that a deal's window closes soon (to the organiser and to members who have not answered). */
export async function announceClosing(bus: EventBus, dealId: string): Promise<boolean> {
  return bus.transaction(async (trx) => {
    // The conditional update is the "once": concurrent sweeps of several processes race on it, one wins.
    const deal = await trx
      .updateTable('deal')
      .set({ closing_announced: true })
      .where('id', '=', dealId)
      .where('state', '=', 'confirming')
      .where('closing_announced', '=', false)
      .returningAll()
      .executeTakeFirst();
    if (!deal) return false;
    const view = toDealView(deal);
    await bus.publish(trx, campaignTopic(deal.campaign_id), 'deal.window-closing', view);
    const product = await productOfPool(trx, deal.pool_id);
    await noticeDealMembers(
      trx,
      deal,
      dealNotice('deal.window-closing', view, product.name),
      { onlyUndecided: true },
    );
    return true;
  });
}

/**
 * Ends a deal's window: closed when the firm (confirmed) quantity reaches the first tier, failed otherwise.
 * The price stays the tier reached (announced to members). Closing an ended deal returns it unchanged.
 * `organiserId` null: the window's own end (the sweep).
 */
export async function closeDeal(bus: EventBus, dealId: string, organiserId: string | null): Promise<Deal> {
  return bus.transaction(async (trx) => {
    const head = await trx.selectFrom('deal').select('campaign_id').where('id', '=', dealId).executeTakeFirst();
    if (!head) throw refuse('NOT_FOUND', 'noSuchDeal');
    // Lock order everywhere: campaign, then deal.
    const campaign = await trx.selectFrom('campaign').selectAll().where('id', '=', head.campaign_id).forUpdate().executeTakeFirstOrThrow();
    if (organiserId !== null && campaign.organiser_id !== organiserId) throw refuse('NOT_FOUND', 'noSuchDeal');
    const deal = await trx.selectFrom('deal').selectAll().where('id', '=', dealId).forUpdate().executeTakeFirstOrThrow();
    if (deal.state !== 'confirming') return deal;
    const firm = Number(deal.confirmed_quantity);
    const outcome = tierFor(deal.tiers, firm) === null ? 'failed' : 'closed';
    const to = checkTransition(campaign.state, outcome === 'closed' ? 'close' : 'fail');
    const members = await sql<{ n: number }>`
      select count(*)::int as n from (
        select shopper_id from intent where pool_id = ${deal.pool_id} and status = 'live'
        union
        select shopper_id from commitment where deal_id = ${deal.id}
      ) m
    `.execute(trx);
    const memberCount = Number(members.rows[0]!.n);
    const closed = await trx
      .updateTable('deal')
      .set({
        state: outcome,
        closed_at: sql<Date>`now()`,
        members_at_close: memberCount,
        dropped_at_close: Math.max(0, memberCount - deal.confirmed_members),
      })
      .where('id', '=', deal.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.updateTable('campaign').set({ state: to, updated_at: sql<Date>`now()` }).where('id', '=', campaign.id).execute();
    const view = toDealView(closed);
    await bus.publish(trx, campaignTopic(campaign.id), 'deal.closed', { ...view, outcome, membersAtClose: memberCount });
    const product = await productOfPool(trx, deal.pool_id);
    await noticeDealMembers(trx, closed, dealNotice('deal.closed', view, product.name, { outcome }));
    return closed;
  });
}

// ---- Reads --------------------------------------------------------------------------------------

// A shopper's deal: ShopperDeal (core/shopper-deal.ts), the contract with the extension.

/** The deals of a shopper: of pools where they have a live intent, or that they answered. Newest first. */
export async function shopperDeals(db: Db, shopperId: string, limit = 100, dealId?: string): Promise<ShopperDeal[]> {
  const rows = await sql<
    Deal & {
      product_id: string;
      product_name: string;
      product_image: string | null;
      organiser_margin: string;
      intent_quantity: number | null;
      my_quantity: number | null;
      my_decision: 'confirmed' | 'declined' | null;
      window_open: boolean;
    }
  >`
    select d.*, p.id as product_id, p.name as product_name, p.image as product_image, c.organiser_margin,
      i.quantity as intent_quantity, cm.quantity as my_quantity, cm.decision as my_decision,
      (d.state = 'confirming' and d.confirm_by > now()) as window_open
    from deal d
    join campaign c on c.id = d.campaign_id
    join pool pl on pl.id = d.pool_id
    join product p on p.id = pl.product_id
    left join intent i on i.pool_id = d.pool_id and i.shopper_id = ${shopperId} and i.status = 'live'
    left join commitment cm on cm.deal_id = d.id and cm.shopper_id = ${shopperId}
    where (i.id is not null or cm.deal_id is not null)
      and (${dealId ?? null}::uuid is null or d.id = ${dealId ?? null}::uuid)
    order by d.formed_at desc
    limit ${limit}
  `.execute(db);
  return rows.rows.map((r) => ({
    dealId: r.id,
    campaignId: r.campaign_id,
    productId: r.product_id,
    productName: r.product_name,
    productImage: r.product_image,
    state: r.state,
    currency: r.currency.trim(),
    unitPrice: normaliseDecimal(String(r.unit_price)),
    tiers: typeof r.tiers === 'string' ? (JSON.parse(r.tiers) as Tier[]) : r.tiers,
    tierReached: r.tier_reached,
    firmQuantity: Number(r.confirmed_quantity),
    confirmBy: new Date(r.confirm_by).toISOString(),
    myQuantity: r.my_quantity ?? r.intent_quantity ?? 0,
    myCommitment: r.my_decision,
    organiserMargin: r.organiser_margin,
    windowOpen: r.window_open,
  }));
}

export async function shopperDeal(db: Db, shopperId: string, dealId: string): Promise<ShopperDeal> {
  const [found] = await shopperDeals(db, shopperId, 1, dealId);
  if (!found) throw refuse('NOT_FOUND', 'noSuchDealOfYours');
  return found;
}

/** A deal and its campaign, if the organiser owns it. */
export async function organiserDeal(db: Db, organiserId: string, dealId: string): Promise<{ deal: Deal; campaign: Campaign }> {
  const deal = await db.selectFrom('deal').selectAll().where('id', '=', dealId).executeTakeFirst();
  const campaign = deal ? await db.selectFrom('campaign').selectAll().where('id', '=', deal.campaign_id).executeTakeFirst() : undefined;
  if (!deal || !campaign || campaign.organiser_id !== organiserId) throw refuse('NOT_FOUND', 'noSuchDeal');
  return { deal, campaign };
}
