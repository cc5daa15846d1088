import { compareDecimal, normaliseDecimal } from './pricing.ts';

/**
 * The deal engine's rules, pure: which campaign transitions are legal, which tier a quantity reaches
 * (and so the one price every member pays), the bounds a supplier's bid must respect, and the planning
 * maths (abandonment rate with a Beta prior, expected firm quantity against each tier).
 */

// ---- Campaign states ----------------------------------------------------------------------------

export const CAMPAIGN_STATES = ['draft', 'open', 'formed', 'confirming', 'closed', 'failed'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** Why a campaign moves: each action names the transitions it may make. */
export type CampaignAction =
  | 'open' // the organiser opens the campaign for bids
  | 'form' // the pool reached the accepted bid's first tier: the deal forms
  | 'start-confirming' // the confirmation window opens (in the same transaction as the formation)
  | 'close' // the window ends with enough firm quantity
  | 'fail' // too little firm quantity, or the organiser gives up, or the deadline passed
  | 'cancel'; // the organiser abandons a draft or an open campaign

const TRANSITIONS: Record<CampaignAction, ReadonlyArray<readonly [CampaignState, CampaignState]>> = {
  open: [['draft', 'open']],
  form: [['open', 'formed']],
  'start-confirming': [['formed', 'confirming']],
  close: [['confirming', 'closed']],
  fail: [
    ['open', 'failed'],
    ['formed', 'failed'],
    ['confirming', 'failed'],
  ],
  cancel: [
    ['draft', 'failed'],
    ['open', 'failed'],
  ],
};

export type TransitionResult = { ok: true; to: CampaignState } | { ok: false; reason: string };

const STATE_WORDS: Record<CampaignState, string> = {
  draft: 'a draft',
  open: 'open for bids',
  formed: 'a formed deal',
  confirming: 'in its confirmation window',
  closed: 'closed',
  failed: 'failed',
};

/** The one place campaign transitions are checked. */
export function transition(from: CampaignState, action: CampaignAction): TransitionResult {
  const edge = TRANSITIONS[action].find(([f]) => f === from);
  if (edge) return { ok: true, to: edge[1] };
  const allowed = TRANSITIONS[action].map(([f]) => STATE_WORDS[f]).join(' or ');
  return { ok: false, reason: `Cannot ${action.replace('-', ' ')} a campaign that is ${STATE_WORDS[from]} (only when ${allowed}).` };
}

export function isTerminal(state: CampaignState): boolean {
  return state === 'closed' || state === 'failed';
}

// ---- Tiers --------------------------------------------------------------------------------------

export interface Tier {
  minQuantity: number;
  /** Decimal string. */
  unitPrice: string;
}

export const TIER_LIMITS = { maxTiers: 10, maxQuantity: 1_000_000 } as const;

/**
 * Problems with a bid's tiers (empty when valid): at least one, at most 10, minimum quantities strictly
 * increasing and within bounds, unit prices positive and never rising as the quantity grows.
 */
export function tierProblems(tiers: readonly Tier[]): string[] {
  const problems: string[] = [];
  if (tiers.length === 0) problems.push('a bid needs at least one tier');
  if (tiers.length > TIER_LIMITS.maxTiers) problems.push(`a bid has at most ${TIER_LIMITS.maxTiers} tiers`);
  tiers.forEach((tier, i) => {
    if (!Number.isInteger(tier.minQuantity) || tier.minQuantity < 1 || tier.minQuantity > TIER_LIMITS.maxQuantity) {
      problems.push(`tier ${i + 1}: the minimum quantity is a whole number from 1 to ${TIER_LIMITS.maxQuantity}`);
    }
    let price: string | null = null;
    try {
      price = normaliseDecimal(tier.unitPrice);
    } catch {
      problems.push(`tier ${i + 1}: the unit price is not a decimal amount`);
    }
    if (price !== null && !/[1-9]/.test(price)) problems.push(`tier ${i + 1}: the unit price must be above zero`);
    const previous = tiers[i - 1];
    if (previous && i > 0) {
      if (tier.minQuantity <= previous.minQuantity) {
        problems.push(`tier ${i + 1}: minimum quantities must strictly increase (${tier.minQuantity} after ${previous.minQuantity})`);
      }
      if (price !== null && safeCompare(tier.unitPrice, previous.unitPrice) > 0) {
        problems.push(`tier ${i + 1}: a larger quantity may not cost more per unit (${tier.unitPrice} after ${previous.unitPrice})`);
      }
    }
  });
  return problems;
}

function safeCompare(a: string, b: string): number {
  try {
    return compareDecimal(a, b);
  } catch {
    return 0;
  }
}

/** Index of the highest tier whose minimum `quantity` meets, or null below the first tier. */
export function tierFor(tiers: readonly Tier[], quantity: number): number | null {
  let reached: number | null = null;
  tiers.forEach((tier, i) => {
    if (quantity >= tier.minQuantity) reached = i;
  });
  return reached;
}

/**
 * The tier a deal stands at while members confirm. It starts at the first tier (the pool reached it: the
 * deal formed) and moves to cheaper tiers as the confirmed quantity crosses their thresholds. It never
 * moves back up: a price announced to every member is a promise (a member changing their mind after a
 * drop is the organiser's risk, which the dropout planning is there to size).
 */
export function nextTierReached(tiers: readonly Tier[], current: number, confirmedQuantity: number): number {
  const byConfirmed = tierFor(tiers, confirmedQuantity);
  return Math.max(current, byConfirmed ?? 0);
}

/**
 * The offer on the table while a campaign is open, among its bids' tier ladders: the one with the lowest
 * price at the tier the group's `quantity` reaches (below every first tier: the lowest first-tier price).
 * What shoppers see before a deal forms ("already 50 / 100 / 200"). Null without bids.
 */
export function leadingBid<B extends { tiers: readonly Tier[] }>(bids: readonly B[], quantity: number): B | null {
  let best: { bid: B; price: string; reached: boolean } | null = null;
  for (const bid of bids) {
    if (bid.tiers.length === 0) continue;
    const reached = tierFor(bid.tiers, quantity);
    const price = bid.tiers[reached ?? 0]!.unitPrice;
    const better =
      !best ||
      (reached !== null && !best.reached) ||
      ((reached !== null) === best.reached && safeCompare(price, best.price) < 0);
    if (better) best = { bid, price, reached: reached !== null };
  }
  return best?.bid ?? null;
}

/** The one price for every member of a deal at `tierReached`. */
export function dealUnitPrice(tiers: readonly Tier[], tierReached: number): string {
  const tier = tiers[tierReached];
  if (!tier) throw new Error(`no tier ${tierReached}`);
  return normaliseDecimal(tier.unitPrice);
}

// ---- Dropout-aware planning ---------------------------------------------------------------------

/**
 * A Beta(alpha, beta) prior on the abandonment rate: with no history, the mean alpha / (alpha + beta).
 * 3 in 10 members abandoning is a cautious default for "no payment until confirmation" group buying; the
 * prior weighs as much as 10 members of history, so a few past deals move it only a little.
 */
export const DROPOUT_PRIOR = { alpha: 3, beta: 7 } as const;

export interface DropoutHistory {
  /** Members of past deals in the category (at their close). */
  members: number;
  /** Of them, those who declined or never answered. */
  dropped: number;
}

export interface DropoutEstimate {
  /** Posterior mean of the abandonment rate, 0..1. */
  rate: number;
  /** Members of history behind it (0: the prior alone). */
  observedMembers: number;
  /** Posterior Beta parameters (for a credible interval if wanted). */
  alpha: number;
  beta: number;
}

export function dropoutEstimate(history: DropoutHistory, prior: { alpha: number; beta: number } = DROPOUT_PRIOR): DropoutEstimate {
  const members = Math.max(0, history.members);
  const dropped = Math.min(members, Math.max(0, history.dropped));
  const alpha = prior.alpha + dropped;
  const beta = prior.beta + (members - dropped);
  return { rate: alpha / (alpha + beta), observedMembers: members, alpha, beta };
}

export interface TierPlan {
  index: number;
  minQuantity: number;
  unitPrice: string;
  /** Expected firm quantity minus the threshold (negative: short by that much). */
  margin: number;
  expectedReached: boolean;
}

export interface FirmPlan {
  dropoutRate: number;
  /** Units wanted now (the pool, or the confirmed plus the undecided during a deal). */
  demandQuantity: number;
  expectedFirmQuantity: number;
  tiers: TierPlan[];
  /** The cheapest tier the expected firm quantity still reaches, or null. */
  expectedTier: number | null;
}

/**
 * Expected firm quantity: what is already confirmed, plus the undecided quantity that is expected to stay
 * (1 − dropout rate). Before a deal, everything is undecided.
 */
export function expectedFirmQuantity(undecidedQuantity: number, dropoutRate: number, confirmedQuantity = 0): number {
  const rate = Math.min(1, Math.max(0, dropoutRate));
  return confirmedQuantity + undecidedQuantity * (1 - rate);
}

export function planAgainstTiers(
  tiers: readonly Tier[],
  dropoutRate: number,
  undecidedQuantity: number,
  confirmedQuantity = 0,
): FirmPlan {
  const expected = expectedFirmQuantity(undecidedQuantity, dropoutRate, confirmedQuantity);
  // Rounded down: a plan should not count on a fraction of a unit.
  const firm = Math.floor(expected + 1e-9);
  const plans = tiers.map((tier, index) => ({
    index,
    minQuantity: tier.minQuantity,
    unitPrice: normaliseDecimal(tier.unitPrice),
    margin: firm - tier.minQuantity,
    expectedReached: firm >= tier.minQuantity,
  }));
  return {
    dropoutRate,
    demandQuantity: undecidedQuantity + confirmedQuantity,
    expectedFirmQuantity: firm,
    tiers: plans,
    expectedTier: tierFor(tiers, firm),
  };
}

// ---- Interests ----------------------------------------------------------------------------------

export interface Interest {
  kind: 'category' | 'keyword';
  value: string;
}

/** Lower case, accents removed, spaces collapsed: "Électroménager " and "electromenager" are one interest. */
export function normaliseInterest(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** How an interest is stored: categories normalised, keywords reduced to their words ("Wi-Fi" → "wi fi"). */
export function interestKey(interest: Interest): string {
  const value = normaliseInterest(interest.value);
  return interest.kind === 'category' ? value : value.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** A product name as words between spaces (" casque zorblax zx 1 "), so keywords match whole words. */
export function productWords(name: string): string {
  return ` ${normaliseInterest(name).replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
}

/** Whether a product (its category and name) matches an interest: same category, or the keyword as a word of the name. */
export function interestMatches(interest: Interest, product: { category: string | null; name: string }): boolean {
  const key = interestKey(interest);
  if (!key) return false;
  if (interest.kind === 'category') return product.category !== null && interestKey({ kind: 'category', value: product.category }) === key;
  return productWords(product.name).includes(` ${key} `);
}

/** Used when a product has no category yet: past deals of uncategorised products share one history. */
export const DEFAULT_CATEGORY = 'uncategorised';
