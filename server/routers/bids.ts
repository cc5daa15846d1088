import { z } from 'zod';
import { TIER_LIMITS } from '../../core/deal.ts';
import { submitBid, supplierBid, supplierCampaignView } from '../domain/bids.ts';
import { Price } from '../trpc/inputs.ts';
import { router, supplierProcedure } from '../trpc/procedures.ts';

export const Tier = z.object({
  minQuantity: z.number().int('a minimum quantity is a whole number').min(1).max(TIER_LIMITS.maxQuantity),
  unitPrice: Price,
});
/** Shape and bounds here; the order rules (quantities up, prices not up) in core/deal.ts's tierProblems. */
export const Tiers = z.array(Tier).min(1, 'a bid needs at least one tier').max(TIER_LIMITS.maxTiers);

export const bidsRouter = router({
  /** Submits the supplier's bid, or revises it (one bid per invitation; revision counts the changes). */
  submit: supplierProcedure
    .input(
      z.object({
        tiers: Tiers,
        validUntil: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time' }),
        conditions: z.string().trim().max(2000).optional(),
      }),
    )
    .mutation(({ ctx, input }) => submitBid(ctx.bus, ctx.invitationId, ctx.campaignId, input)),

  /** The supplier's own bid, or null. */
  mine: supplierProcedure.query(({ ctx }) => supplierBid(ctx.db, ctx.invitationId)),

  /** What the invitation link shows: the campaign and aggregated demand (never an identity). */
  campaign: supplierProcedure
    .input(z.object({ maxPoints: z.number().int().min(2).max(500).default(100) }).default({ maxPoints: 100 }))
    .query(({ ctx, input }) => supplierCampaignView(ctx.db, ctx.invitationId, ctx.campaignId, input.maxPoints)),
});
