import { z } from 'zod';
import { acceptBid, campaignDetail, cancelCampaign, createCampaign, inviteSupplier, openCampaign, organiserCampaigns, poolPlan } from '../domain/campaigns.ts';
import { Id, Limit, Price } from '../trpc/inputs.ts';
import { organiserProcedure, router } from '../trpc/procedures.ts';
import { Tiers } from './bids.ts';

/** "5%" of the unit price, or an amount per unit ("2.50"); a percentage is at most 100. */
export const OrganiserMargin = z
  .string()
  .trim()
  .regex(/^\d{1,6}(\.\d{1,4})?%?$/, 'expected a margin such as "5%" or "2.50"')
  .refine((v) => !v.endsWith('%') || Number(v.slice(0, -1)) <= 100, 'a margin in percent is at most 100%');
export const IsoTime = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time such as 2026-12-01T18:00:00Z' });
const Conditions = z.string().trim().max(2000, 'conditions are at most 2000 characters');
const CampaignRef = z.object({ campaignId: Id });

export const campaignsRouter = router({
  /** A campaign for a pool, as a draft. */
  create: organiserProcedure
    .input(z.object({ poolId: Id, targetPrice: Price, deadline: IsoTime, conditions: Conditions.optional(), organiserMargin: OrganiserMargin, category: z.string().trim().min(1).max(80).optional() }))
    .mutation(({ ctx, input }) => createCampaign(ctx.db, ctx.bus, ctx.organiserId, input)),

  /** draft → open for bids (shoppers whose interests match are alerted). */
  open: organiserProcedure.input(CampaignRef).mutation(({ ctx, input }) => openCampaign(ctx.bus, ctx.organiserId, input.campaignId)),

  /** Gives up on a draft or open campaign (→ failed). */
  cancel: organiserProcedure.input(CampaignRef).mutation(({ ctx, input }) => cancelCampaign(ctx.bus, ctx.organiserId, input.campaignId)),

  /** A link for a supplier: the token is shown once (only its hash is stored). */
  inviteSupplier: organiserProcedure
    .input(z.object({ campaignId: Id, supplierName: z.string().trim().min(1).max(200) }))
    .mutation(({ ctx, input }) => inviteSupplier(ctx.db, ctx.bus, ctx.organiserId, input.campaignId, input.supplierName)),

  /**
   * Accepts a bid; the deal forms as soon as the pool reaches its first tier (at once if it already does),
   * exactly once. confirmWindowHours: how long members have to confirm (fractions allowed: 0.01 = 36 s).
   */
  acceptBid: organiserProcedure
    .input(z.object({ campaignId: Id, bidId: Id, confirmWindowHours: z.number().min(1 / 3600).max(720).default(48) }))
    .mutation(({ ctx, input }) =>
      acceptBid(ctx.bus, ctx.organiserId, {
        campaignId: input.campaignId,
        bidId: input.bidId,
        confirmWindowSeconds: Math.max(1, Math.round(input.confirmWindowHours * 3600)),
      }),
    ),

  /** The organiser's campaigns, newest first. */
  list: organiserProcedure
    .input(z.object({ limit: Limit(200, 50) }).default({ limit: 50 }))
    .query(({ ctx, input }) => organiserCampaigns(ctx.db, ctx.organiserId, input.limit)),

  /** One campaign: bids compared tier by tier (pool today, members' max prices, market, target), the deal, the dropout plan. */
  get: organiserProcedure.input(CampaignRef).query(({ ctx, input }) => campaignDetail(ctx.db, ctx.organiserId, input.campaignId)),

  /** Dropout-aware planning for a pool: the category's abandonment rate and the expected firm quantity (against tiers if given). */
  plan: organiserProcedure
    .input(z.object({ poolId: Id, tiers: Tiers.optional() }))
    .query(({ ctx, input }) => poolPlan(ctx.db, input.poolId, input.tiers)),
});
