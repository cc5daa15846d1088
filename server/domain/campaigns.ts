import { sql, type Kysely, type Transaction } from 'kysely';
import { DEFAULT_CATEGORY, dropoutEstimate, interestKey, leadingBid, planAgainstTiers, tierFor, type DropoutEstimate, type FirmPlan, type Tier } from '../../core/deal.ts';
import { compareDecimal, normaliseDecimal, unitsWantedAt } from '../../core/pricing.ts';
import type { Bid, Campaign, Database } from '../db/schema.ts';
import type { EventBus } from '../events/bus.ts';
import { campaignTopic, noticeInterestedShoppers } from './notices.ts';
import { checkTransition, formDeal, toDealView, type DealView } from './deals.ts';
import { listingPrices, livePool, priceLevels } from './pools.ts';
import { createSupplierInvitation } from './suppliers.ts';
import { refuse } from '../trpc/refusal.ts';

/**
 * Campaigns: an organiser's negotiation for one pool (one active campaign per pool, by a unique index).
 * Every state change goes through checkTransition (core/deal.ts decides what is legal).
 */

type Db = Kysely<Database> | Transaction<Database>;

export interface CampaignView {
  id: string;
  poolId: string;
  state: Campaign['state'];
  targetPrice: string | null;
  deadline: string | null;
  conditions: string | null;
  organiserMargin: string;
  acceptedBidId: string | null;
  confirmWindowSeconds: number;
  createdAt: string;
  openedAt: string | null;
}

export function toCampaignView(c: Campaign): CampaignView {
  return {
    id: c.id,
    poolId: c.pool_id,
    state: c.state,
    targetPrice: c.target_price === null ? null : normaliseDecimal(String(c.target_price)),
    deadline: c.deadline?.toISOString() ?? null,
    conditions: c.conditions,
    organiserMargin: c.organiser_margin,
    acceptedBidId: c.accepted_bid_id,
    confirmWindowSeconds: c.confirm_window_seconds,
    createdAt: c.created_at.toISOString(),
    openedAt: c.opened_at?.toISOString() ?? null,
  };
}

const UNIQUE_VIOLATION = '23505';

export interface CreateCampaignInput {
  poolId: string;
  targetPrice: string;
  deadline: string;
  conditions?: string | undefined;
  organiserMargin: string;
  /** Files the product under a category (for interests and the dropout history) when it has none yet. */
  category?: string | undefined;
}

export async function createCampaign(db: Kysely<Database>, bus: EventBus, organiserId: string, input: CreateCampaignInput): Promise<CampaignView> {
  if (new Date(input.deadline).getTime() <= Date.now()) {
    throw refuse('BAD_REQUEST', 'deadlineInPast');
  }
  try {
    return await bus.transaction(async (trx) => {
      const pool = await livePool(trx, input.poolId);
      if (!pool) throw refuse('NOT_FOUND', 'noSuchPool');
      if (input.category) {
        await trx
          .updateTable('product')
          .set({ category: interestKey({ kind: 'category', value: input.category }) })
          .where('id', '=', pool.product_id)
          .where('category', 'is', null)
          .execute();
      }
      const campaign = await trx
        .insertInto('campaign')
        .values({
          pool_id: pool.id,
          organiser_id: organiserId,
          target_price: input.targetPrice,
          deadline: input.deadline,
          conditions: input.conditions ?? null,
          organiser_margin: input.organiserMargin,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const view = toCampaignView(campaign);
      await bus.publish(trx, campaignTopic(campaign.id), 'campaign.created', view);
      return view;
    });
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
      throw refuse('CONFLICT', 'campaignUnderWay', {}, error);
    }
    throw error;
  }
}

/** The campaign, locked, if this organiser owns it (others' campaigns do not exist for them). */
async function lockOwn(trx: Transaction<Database>, organiserId: string, campaignId: string): Promise<Campaign> {
  const campaign = await trx.selectFrom('campaign').selectAll().where('id', '=', campaignId).forUpdate().executeTakeFirst();
  if (!campaign || campaign.organiser_id !== organiserId) throw refuse('NOT_FOUND', 'noSuchCampaign');
  return campaign;
}

export async function ownCampaign(db: Db, organiserId: string, campaignId: string): Promise<Campaign> {
  const campaign = await db.selectFrom('campaign').selectAll().where('id', '=', campaignId).executeTakeFirst();
  if (!campaign || campaign.organiser_id !== organiserId) throw refuse('NOT_FOUND', 'noSuchCampaign');
  return campaign;
}

/** draft → open for bids; shoppers whose interests match the product hear of it. */
export async function openCampaign(bus: EventBus, organiserId: string, campaignId: string): Promise<CampaignView> {
  return bus.transaction(async (trx) => {
    const campaign = await lockOwn(trx, organiserId, campaignId);
    const to = checkTransition(campaign.state, 'open');
    const updated = await trx
      .updateTable('campaign')
      .set({ state: to, opened_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', campaign.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = toCampaignView(updated);
    await bus.publish(trx, campaignTopic(campaign.id), 'campaign.opened', view);
    const product = await trx
      .selectFrom('pool')
      .innerJoin('product', 'product.id', 'pool.product_id')
      .select(['product.name', 'product.category', 'pool.currency'])
      .where('pool.id', '=', campaign.pool_id)
      .executeTakeFirstOrThrow();
    await noticeInterestedShoppers(trx, product, {
      type: 'campaign.opened',
      campaignId: campaign.id,
      productName: product.name,
      currency: product.currency.trim(),
    });
    return view;
  });
}

/** The organiser gives up on a draft or open campaign. */
export async function cancelCampaign(bus: EventBus, organiserId: string, campaignId: string): Promise<CampaignView> {
  return bus.transaction(async (trx) => {
    const campaign = await lockOwn(trx, organiserId, campaignId);
    const to = checkTransition(campaign.state, 'cancel');
    const updated = await trx.updateTable('campaign').set({ state: to, updated_at: sql<Date>`now()` }).where('id', '=', campaign.id).returningAll().executeTakeFirstOrThrow();
    const view = toCampaignView(updated);
    await bus.publish(trx, campaignTopic(campaign.id), 'campaign.failed', { ...view, reason: 'cancelled' });
    return view;
  });
}

/** Fails an open campaign whose deadline passed without a deal (the sweep; once, by the conditional update). */
export async function expireCampaign(bus: EventBus, campaignId: string): Promise<boolean> {
  return bus.transaction(async (trx) => {
    const campaign = await trx.selectFrom('campaign').selectAll().where('id', '=', campaignId).forUpdate().executeTakeFirst();
    if (!campaign || !campaign.deadline || campaign.deadline.getTime() > Date.now()) return false;
    if (campaign.state !== 'open' && campaign.state !== 'draft') return false;
    const to = checkTransition(campaign.state, campaign.state === 'open' ? 'fail' : 'cancel');
    const updated = await trx.updateTable('campaign').set({ state: to, updated_at: sql<Date>`now()` }).where('id', '=', campaign.id).returningAll().executeTakeFirstOrThrow();
    await bus.publish(trx, campaignTopic(campaign.id), 'campaign.failed', { ...toCampaignView(updated), reason: 'deadline' });
    return true;
  });
}

export async function inviteSupplier(
  db: Kysely<Database>,
  bus: EventBus,
  organiserId: string,
  campaignId: string,
  supplierName: string,
): Promise<{ invitationId: string; token: string; link: string; expiresAt: string }> {
  const campaign = await ownCampaign(db, organiserId, campaignId);
  if (campaign.state !== 'draft' && campaign.state !== 'open') {
    throw refuse('PRECONDITION_FAILED', 'invitesBeforeDeal');
  }
  const days = campaign.deadline ? Math.max(1, Math.ceil((campaign.deadline.getTime() - Date.now()) / 86_400_000) + 7) : 30;
  const invitation = await createSupplierInvitation(db, campaign.id, supplierName, days);
  await bus.transaction((trx) => bus.publish(trx, campaignTopic(campaign.id), 'campaign.supplier-invited', { invitationId: invitation.invitationId, supplierName }));
  return {
    invitationId: invitation.invitationId,
    token: invitation.token,
    // In the fragment: browsers never send it to a server, so it stays out of every log on the way.
    link: `/supplier#token=${invitation.token}`,
    expiresAt: invitation.expiresAt.toISOString(),
  };
}

export interface AcceptBidInput {
  campaignId: string;
  bidId: string;
  confirmWindowSeconds: number;
}

/**
 * Accepts a bid of an open campaign. The deal forms at once when the pool already reaches the first tier,
 * else as soon as it does (the deal engine checks on every pool change). Accepting the same bid again is
 * a no-op; another bid once one is accepted is refused.
 */
export async function acceptBid(
  bus: EventBus,
  organiserId: string,
  input: AcceptBidInput,
): Promise<{ campaign: CampaignView; deal: DealView | null }> {
  await bus.transaction(async (trx) => {
    const campaign = await lockOwn(trx, organiserId, input.campaignId);
    if (campaign.accepted_bid_id === input.bidId) return;
    if (campaign.state !== 'open') {
      throw refuse('PRECONDITION_FAILED', 'acceptWhileOpen');
    }
    if (campaign.accepted_bid_id) {
      const accepted = await trx
        .selectFrom('bid')
        .select(sql<boolean>`valid_until > now()`.as('valid'))
        .where('id', '=', campaign.accepted_bid_id)
        .executeTakeFirstOrThrow();
      // Only an expired acceptance may be replaced: the pool never reached its first tier in time.
      if (accepted.valid) throw refuse('CONFLICT', 'bidAlreadyAccepted');
    }
    const bid = await trx
      .selectFrom('bid')
      .selectAll()
      .select(sql<boolean>`valid_until > now()`.as('valid'))
      .where('id', '=', input.bidId)
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirst();
    if (!bid) throw refuse('NOT_FOUND', 'noSuchBid');
    if (!bid.valid) throw refuse('PRECONDITION_FAILED', 'bidExpired');
    await trx
      .updateTable('campaign')
      .set({ accepted_bid_id: bid.id, confirm_window_seconds: input.confirmWindowSeconds, updated_at: sql<Date>`now()` })
      .where('id', '=', campaign.id)
      .execute();
    await bus.publish(trx, campaignTopic(campaign.id), 'campaign.bid-accepted', { campaignId: campaign.id, poolId: campaign.pool_id, bidId: bid.id });
  });
  await formDeal(bus, input.campaignId);
  return campaignWithDeal(bus, organiserId, input.campaignId);
}

async function campaignWithDeal(bus: EventBus, organiserId: string, campaignId: string) {
  return bus.transaction(async (trx) => {
    const campaign = await ownCampaign(trx, organiserId, campaignId);
    const deal = await trx.selectFrom('deal').selectAll().where('campaign_id', '=', campaign.id).executeTakeFirst();
    return { campaign: toCampaignView(campaign), deal: deal ? toDealView(deal) : null };
  });
}

export async function organiserCampaigns(db: Db, organiserId: string, limit: number) {
  const rows = await db
    .selectFrom('campaign')
    .innerJoin('pool', 'pool.id', 'campaign.pool_id')
    .innerJoin('product', 'product.id', 'pool.product_id')
    .selectAll('campaign')
    .select(['product.id as product_id', 'product.name as product_name', 'product.image as product_image', 'pool.member_count', 'pool.total_quantity'])
    .where('campaign.organiser_id', '=', organiserId)
    .orderBy('campaign.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...toCampaignView(r),
    product: { id: r.product_id, name: r.product_name, image: r.product_image },
    pool: { memberCount: r.member_count, totalQuantity: Number(r.total_quantity) },
  }));
}

// ---- Bids compared, and dropout-aware planning --------------------------------------------------

export interface BidView {
  id: string;
  campaignId: string;
  supplierName: string;
  tiers: Tier[];
  validUntil: string;
  conditions: string | null;
  revision: number;
  updatedAt: string;
}

export function toBidView(bid: Bid, supplierName: string): BidView {
  return {
    id: bid.id,
    campaignId: bid.campaign_id,
    supplierName,
    tiers: bid.tiers.map((t) => ({ minQuantity: t.minQuantity, unitPrice: normaliseDecimal(t.unitPrice) })),
    validUntil: bid.valid_until.toISOString(),
    conditions: bid.conditions,
    revision: bid.revision,
    updatedAt: bid.updated_at.toISOString(),
  };
}

/** The abandonment rate of a category from past deals (closed or failed), with the Beta prior. */
export async function categoryDropout(db: Db, category: string): Promise<DropoutEstimate & { category: string; pastDeals: number }> {
  const row = await db
    .selectFrom('deal')
    .select([
      sql<number>`count(*)::int`.as('deals'),
      sql<number>`coalesce(sum(members_at_close), 0)::int8`.as('members'),
      sql<number>`coalesce(sum(dropped_at_close), 0)::int8`.as('dropped'),
    ])
    .where('category', '=', category)
    .where('state', 'in', ['closed', 'failed'])
    .where('members_at_close', 'is not', null)
    .executeTakeFirstOrThrow();
  return { ...dropoutEstimate({ members: Number(row.members), dropped: Number(row.dropped) }), category, pastDeals: Number(row.deals) };
}

export interface TierComparison {
  minQuantity: number;
  unitPrice: string;
  /** Whether the pool's quantity reaches this tier today. */
  reachedToday: boolean;
  /** Members (and their units) whose max price is met at this tier's price (open-ended ones included). */
  membersWilling: number;
  unitsWilling: number;
  /** Unit price minus the lowest market price seen (negative: cheaper than the market), or null. */
  belowMarketBy: string | null;
  /** Whether the tier's price is at or under the organiser's target. */
  meetsTarget: boolean | null;
}

function subtractDecimal(a: string, b: string): string {
  // Money to the cent is enough for a comparison shown to people; exact sums stay in SQL.
  const cents = Math.round(Number(a) * 100) - Math.round(Number(b) * 100);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The organiser's view of a campaign: bids tier by tier against the pool, the market and the expected dropout. */
export async function campaignDetail(db: Db, organiserId: string, campaignId: string) {
  const campaign = await ownCampaign(db, organiserId, campaignId);
  const pool = await db.selectFrom('pool').selectAll().where('id', '=', campaign.pool_id).executeTakeFirstOrThrow();
  const product = await db.selectFrom('product').selectAll().where('id', '=', pool.product_id).executeTakeFirstOrThrow();
  const [levels, market, bids, deal, dropout] = await Promise.all([
    priceLevels(db, pool.id),
    listingPrices(db, product.id),
    db
      .selectFrom('bid')
      .innerJoin('supplier_invitation', 'supplier_invitation.id', 'bid.invitation_id')
      .selectAll('bid')
      .select('supplier_invitation.supplier_name')
      .where('bid.campaign_id', '=', campaign.id)
      .orderBy('bid.created_at')
      .execute(),
    db.selectFrom('deal').selectAll().where('campaign_id', '=', campaign.id).executeTakeFirst(),
    categoryDropout(db, product.category ?? DEFAULT_CATEGORY),
  ]);
  const open = { members: pool.open_members, quantity: Number(pool.open_quantity) };
  const currency = pool.currency.trim();
  const marketPrices = market.filter((m) => m.price !== null && m.currency?.trim() === currency).map((m) => m.price!);
  const lowestMarket = marketPrices.length > 0 ? marketPrices.reduce((a, b) => (compareDecimal(a, b) <= 0 ? a : b)) : null;
  const quantity = Number(pool.total_quantity);
  const target = campaign.target_price === null ? null : String(campaign.target_price);
  const compared = bids.map((bid) => {
    const view = toBidView(bid, bid.supplier_name);
    const tiers: TierComparison[] = view.tiers.map((tier) => {
      const willing = unitsWantedAt(levels, tier.unitPrice, open);
      return {
        ...tier,
        reachedToday: quantity >= tier.minQuantity,
        membersWilling: willing.members,
        unitsWilling: willing.quantity,
        belowMarketBy: lowestMarket ? subtractDecimal(tier.unitPrice, lowestMarket) : null,
        meetsTarget: target === null ? null : compareDecimal(tier.unitPrice, target) <= 0,
      };
    });
    return { ...view, tierReachedToday: tierFor(view.tiers, quantity), plan: plan(view.tiers, dropout.rate, quantity, 0), comparison: tiers };
  });
  return {
    campaign: toCampaignView(campaign),
    product: { id: product.id, name: product.name, brand: product.brand, gtin: product.gtin, image: product.image, category: product.category },
    pool: { id: pool.id, currency, region: pool.region, memberCount: pool.member_count, totalQuantity: quantity },
    lowestMarketPrice: lowestMarket,
    dropout,
    bids: compared,
    deal: deal ? { ...toDealView(deal), plan: dealPlan(deal, dropout.rate, quantity) } : null,
  };
}

function plan(tiers: Tier[], rate: number, undecided: number, confirmed: number): FirmPlan {
  return planAgainstTiers(tiers, rate, undecided, confirmed);
}

/** During a deal: the confirmed quantity is firm; the rest of the pool (not declined) stays with the expected rate. */
function dealPlan(deal: { tiers: Tier[]; confirmed_quantity: number; state: string }, rate: number, poolQuantity: number): FirmPlan {
  const confirmed = Number(deal.confirmed_quantity);
  const undecided = deal.state === 'confirming' ? Math.max(0, poolQuantity - confirmed) : 0;
  return planAgainstTiers(deal.tiers, rate, undecided, confirmed);
}

/** Dropout-aware planning for a pool before any bid: expected firm quantity with the category's rate. */
export async function poolPlan(db: Db, poolId: string, tiers: Tier[] | undefined) {
  const pool = await livePool(db, poolId);
  if (!pool) throw refuse('NOT_FOUND', 'noSuchPool');
  const product = await db.selectFrom('product').select('category').where('id', '=', pool.product_id).executeTakeFirstOrThrow();
  const dropout = await categoryDropout(db, product.category ?? DEFAULT_CATEGORY);
  const quantity = Number(pool.total_quantity);
  return {
    poolId: pool.id,
    dropout,
    demandQuantity: quantity,
    expectedFirmQuantity: Math.floor(quantity * (1 - dropout.rate) + 1e-9),
    plan: tiers ? planAgainstTiers(tiers, dropout.rate, quantity, 0) : null,
  };
}

/**
 * What a shopper sees of an open campaign on their pool before any deal forms: the leading bid's tier
 * ladder (never which supplier made it), the tier the pool's quantity reaches, and the organiser's margin,
 * shown before joining. Null when the pool has no open campaign.
 */
export interface OpenCampaignView {
  campaignId: string;
  deadline: string | null;
  organiserMargin: string;
  currency: string;
  /** Empty while no valid bid has come in. */
  tiers: Tier[];
  tierReached: number | null;
  /** Units the pool wants now (what the tiers are measured against). */
  wantedQuantity: number;
}

export async function openCampaignView(db: Db, pool: { id: string; currency: string; totalQuantity: number }): Promise<OpenCampaignView | null> {
  const campaign = await db.selectFrom('campaign').selectAll().where('pool_id', '=', pool.id).where('state', '=', 'open').executeTakeFirst();
  if (!campaign) return null;
  const bids = await db
    .selectFrom('bid')
    .select(['id', 'tiers'])
    .where('campaign_id', '=', campaign.id)
    .where(sql<boolean>`valid_until > now()`)
    .execute();
  const leading = leadingBid(bids, pool.totalQuantity);
  const tiers = leading ? leading.tiers.map((tier) => ({ minQuantity: tier.minQuantity, unitPrice: normaliseDecimal(tier.unitPrice) })) : [];
  return {
    campaignId: campaign.id,
    deadline: campaign.deadline?.toISOString() ?? null,
    organiserMargin: campaign.organiser_margin,
    currency: pool.currency.trim(),
    tiers,
    tierReached: tiers.length > 0 ? tierFor(tiers, pool.totalQuantity) : null,
    wantedQuantity: pool.totalQuantity,
  };
}
