import { z } from 'zod';
import type { Tier } from './deal.ts';
import { CurrencyCode, DecimalString } from './snapshot.ts';

/**
 * A deal as a member (a shopper) sees it, and the notices a shopper receives: the contract between the
 * server (`deals.mine`, `commitments.respond`, `events.shopper`) and the extension. Written once, here: the
 * server builds values of these types, and the extension parses what it receives with these schemas (its
 * one check, where the data enters it: extension/server-client.ts and extension/live-stream.ts).
 */

export const DEAL_STATES = ['confirming', 'closed', 'failed'] as const;
export const DealState = z.enum(DEAL_STATES);
export type DealState = z.infer<typeof DealState>;

export const DealTier = z.object({ minQuantity: z.number().int(), unitPrice: DecimalString }) satisfies z.ZodType<Tier>;

/** A member's answer to a deal (a Commitment): what they send, and what is recorded. */
export const Decision = z.enum(['confirm', 'decline']);
export type Decision = z.infer<typeof Decision>;
export const COMMITMENTS = ['confirmed', 'declined'] as const;
export type CommitmentDecision = (typeof COMMITMENTS)[number];

/** Contact details a member may share with the supplier when confirming (never otherwise). */
export const ShareContact = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email({ error: 'expected an e-mail address' }).max(254),
  address: z.string().trim().min(1).max(1000).optional(),
});
export type ShareContact = z.infer<typeof ShareContact>;

export const ShopperDeal = z.object({
  dealId: z.string(),
  campaignId: z.string(),
  productId: z.string(),
  productName: z.string(),
  productImage: z.string().nullable(),
  state: DealState,
  currency: CurrencyCode,
  /** The price of the tier reached: the same for every member. */
  unitPrice: DecimalString,
  tiers: z.array(DealTier),
  tierReached: z.number().int().nullable(),
  firmQuantity: z.number(),
  /** ISO time: answers are accepted until then. */
  confirmBy: z.string(),
  myQuantity: z.number(),
  myCommitment: z.enum(COMMITMENTS).nullable(),
  /** "5%" of the unit price, or an amount per unit ("2.50"), shown before joining. */
  organiserMargin: z.string(),
  /** Whether answers were still accepted when the server answered. */
  windowOpen: z.boolean(),
});
export type ShopperDeal = z.infer<typeof ShopperDeal>;

/** What a shopper is told about (a browser notification each); the event's type on `events.shopper`. */
export const NOTICE_TYPES = ['deal.formed', 'deal.tier-dropped', 'deal.window-closing', 'deal.closed', 'campaign.opened'] as const;
export const NoticeType = z.enum(NOTICE_TYPES);
export type NoticeType = z.infer<typeof NoticeType>;

export const ShopperNotice = z.object({
  type: NoticeType,
  /** Absent for campaign.opened. */
  dealId: z.string().optional(),
  campaignId: z.string(),
  productName: z.string(),
  unitPrice: DecimalString.optional(),
  currency: CurrencyCode.optional(),
  confirmBy: z.string().optional(),
  /** deal.closed: how it ended. */
  outcome: z.enum(['closed', 'failed']).optional(),
});
export type ShopperNotice = z.infer<typeof ShopperNotice>;
