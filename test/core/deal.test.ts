import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_STATES,
  DROPOUT_PRIOR,
  dropoutEstimate,
  expectedFirmQuantity,
  dealUnitPrice,
  interestKey,
  interestMatches,
  isTerminal,
  nextTierReached,
  planAgainstTiers,
  productWords,
  tierFor,
  leadingBid,
  tierProblems,
  transition,
  type CampaignAction,
  type CampaignState,
} from '../../core/deal.ts';

const TIERS = [
  { minQuantity: 50, unitPrice: '120' },
  { minQuantity: 100, unitPrice: '110.50' },
  { minQuantity: 200, unitPrice: '99.9' },
];

describe('campaign state machine', () => {
  // Every legal edge, written out once more by hand: the machine must allow exactly these.
  const LEGAL: Array<[CampaignState, CampaignAction, CampaignState]> = [
    ['draft', 'open', 'open'],
    ['open', 'form', 'formed'],
    ['formed', 'start-confirming', 'confirming'],
    ['confirming', 'close', 'closed'],
    ['open', 'fail', 'failed'],
    ['formed', 'fail', 'failed'],
    ['confirming', 'fail', 'failed'],
    ['draft', 'cancel', 'failed'],
    ['open', 'cancel', 'failed'],
  ];
  const ACTIONS: CampaignAction[] = ['open', 'form', 'start-confirming', 'close', 'fail', 'cancel'];

  it('allows exactly the legal transitions, and explains every refusal', () => {
    let legal = 0;
    for (const from of CAMPAIGN_STATES) {
      for (const action of ACTIONS) {
        const expected = LEGAL.find(([f, a]) => f === from && a === action);
        const result = transition(from, action);
        if (expected) {
          legal += 1;
          expect(result, `${from} --${action}-->`).toEqual({ ok: true, to: expected[2] });
        } else {
          expect(result.ok, `${from} --${action}--> must be refused`).toBe(false);
          if (!result.ok) expect(result.reason).toMatch(/^Cannot .+ a campaign that is .+ \(only when .+\)\.$/);
        }
      }
    }
    expect(legal).toBe(LEGAL.length);
  });

  it('has no way out of closed or failed, and no way back to draft', () => {
    for (const state of ['closed', 'failed'] as const) {
      expect(isTerminal(state)).toBe(true);
      for (const action of ACTIONS) expect(transition(state, action).ok).toBe(false);
    }
    for (const from of CAMPAIGN_STATES) for (const action of ACTIONS) {
      const r = transition(from, action);
      if (r.ok) expect(r.to).not.toBe('draft');
    }
  });

  it('says why in words', () => {
    expect(transition('confirming', 'open')).toEqual({
      ok: false,
      reason: 'Cannot open a campaign that is in its confirmation window (only when a draft).',
    });
  });
});

describe('tiers', () => {
  it('finds the tier a quantity reaches', () => {
    expect(tierFor(TIERS, 0)).toBeNull();
    expect(tierFor(TIERS, 49)).toBeNull();
    expect(tierFor(TIERS, 50)).toBe(0);
    expect(tierFor(TIERS, 99)).toBe(0);
    expect(tierFor(TIERS, 100)).toBe(1);
    expect(tierFor(TIERS, 10_000)).toBe(2);
  });

  it('puts forward the bid with the lowest price at the tier the group reaches, a reached tier before any other', () => {
    const a = { id: 'a', tiers: [{ minQuantity: 50, unitPrice: '120' }, { minQuantity: 100, unitPrice: '110' }] };
    const b = { id: 'b', tiers: [{ minQuantity: 10, unitPrice: '125' }, { minQuantity: 60, unitPrice: '105' }] };
    const c = { id: 'c', tiers: [{ minQuantity: 500, unitPrice: '90' }] };
    expect(leadingBid([], 10)).toBeNull();
    // 5 units: no tier reached anywhere, the lowest first-tier price (c's 90 for 500 units).
    expect(leadingBid([a, b, c], 5)?.id).toBe('c');
    // 20 units: only b's first tier is reached, it leads whatever the others promise for more.
    expect(leadingBid([a, b, c], 20)?.id).toBe('b');
    // 55 units: a at 120, b at 125: a. 70 units: b's second tier (105) beats a's first (120).
    expect(leadingBid([a, b, c], 55)?.id).toBe('a');
    expect(leadingBid([c, a, b], 70)?.id).toBe('b');
    expect(leadingBid([{ id: 'empty', tiers: [] }], 70)).toBeNull();
  });

  it('gives one price for the group, normalised', () => {
    expect(dealUnitPrice(TIERS, 0)).toBe('120');
    expect(dealUnitPrice(TIERS, 1)).toBe('110.5');
    expect(() => dealUnitPrice(TIERS, 3)).toThrow();
  });

  it('only moves to cheaper tiers while members confirm, starting at the first', () => {
    expect(nextTierReached(TIERS, 0, 0)).toBe(0);
    expect(nextTierReached(TIERS, 0, 120)).toBe(1);
    expect(nextTierReached(TIERS, 1, 60)).toBe(1);
    expect(nextTierReached(TIERS, 1, 250)).toBe(2);
  });

  it('accepts well-formed tiers and names every problem of bad ones', () => {
    expect(tierProblems(TIERS)).toEqual([]);
    expect(tierProblems([{ minQuantity: 1, unitPrice: '5' }])).toEqual([]);
    expect(tierProblems([])).toEqual(['a bid needs at least one tier']);
    expect(tierProblems([{ minQuantity: 10, unitPrice: '5' }, { minQuantity: 10, unitPrice: '4' }])).toEqual([
      'tier 2: minimum quantities must strictly increase (10 after 10)',
    ]);
    expect(tierProblems([{ minQuantity: 10, unitPrice: '5' }, { minQuantity: 20, unitPrice: '5.01' }])).toEqual([
      'tier 2: a larger quantity may not cost more per unit (5.01 after 5)',
    ]);
    // Equal prices are allowed (non-increasing).
    expect(tierProblems([{ minQuantity: 10, unitPrice: '5.00' }, { minQuantity: 20, unitPrice: '5' }])).toEqual([]);
    expect(tierProblems([{ minQuantity: 0, unitPrice: '0' }])).toEqual([
      'tier 1: the minimum quantity is a whole number from 1 to 1000000',
      'tier 1: the unit price must be above zero',
    ]);
    expect(tierProblems([{ minQuantity: 1.5, unitPrice: '1e3' }])).toHaveLength(2);
    expect(tierProblems(Array.from({ length: 11 }, (_, i) => ({ minQuantity: i + 1, unitPrice: '1' })))).toEqual([
      'a bid has at most 10 tiers',
    ]);
  });
});

describe('dropout-aware planning', () => {
  it('falls back on the prior without history', () => {
    const e = dropoutEstimate({ members: 0, dropped: 0 });
    expect(e.rate).toBeCloseTo(DROPOUT_PRIOR.alpha / (DROPOUT_PRIOR.alpha + DROPOUT_PRIOR.beta));
    expect(e.observedMembers).toBe(0);
  });

  it('moves towards the observed rate as history grows', () => {
    const few = dropoutEstimate({ members: 4, dropped: 0 });
    const many = dropoutEstimate({ members: 4000, dropped: 400 });
    // 4 loyal members barely move a prior of 0.3: (3 + 0) / (10 + 4).
    expect(few.rate).toBeCloseTo(3 / 14);
    expect(many.rate).toBeCloseTo(403 / 4010);
    expect(Math.abs(many.rate - 0.1)).toBeLessThan(0.002);
  });

  it('clamps impossible histories', () => {
    expect(dropoutEstimate({ members: 5, dropped: 9 }).rate).toBeCloseTo(8 / 15);
    expect(dropoutEstimate({ members: -3, dropped: -1 }).rate).toBeCloseTo(0.3);
  });

  it('expects the confirmed quantity plus the undecided that stay, against each tier', () => {
    expect(expectedFirmQuantity(100, 0.3)).toBeCloseTo(70);
    expect(expectedFirmQuantity(100, 0.3, 40)).toBeCloseTo(110);
    const plan = planAgainstTiers(TIERS, 0.3, 150);
    expect(plan.expectedFirmQuantity).toBe(105);
    expect(plan.expectedTier).toBe(1);
    expect(plan.tiers.map((t) => [t.minQuantity, t.expectedReached, t.margin])).toEqual([
      [50, true, 55],
      [100, true, 5],
      [200, false, -95],
    ]);
    // A pool of exactly the threshold is expected to fall short once members drop out.
    expect(planAgainstTiers(TIERS, 0.3, 50).expectedTier).toBeNull();
  });
});

describe('interests', () => {
  const product = { category: 'Électroménager', name: 'Aspirateur Dyson V15 Detect (Wi-Fi)' };

  it('matches a category without regard to case or accents', () => {
    expect(interestMatches({ kind: 'category', value: 'electromenager' }, product)).toBe(true);
    expect(interestMatches({ kind: 'category', value: 'électro' }, product)).toBe(false);
    expect(interestMatches({ kind: 'category', value: 'x' }, { category: null, name: 'x' })).toBe(false);
  });

  it('matches keywords as whole words of the name', () => {
    expect(interestMatches({ kind: 'keyword', value: 'dyson' }, product)).toBe(true);
    expect(interestMatches({ kind: 'keyword', value: 'Dyson V15' }, product)).toBe(true);
    expect(interestMatches({ kind: 'keyword', value: 'wi-fi' }, product)).toBe(true);
    expect(interestMatches({ kind: 'keyword', value: 'dys' }, product)).toBe(false);
    expect(interestMatches({ kind: 'keyword', value: '  ' }, product)).toBe(false);
  });

  it('stores keys in the form the server matches against (" words ")', () => {
    expect(interestKey({ kind: 'keyword', value: ' Wi-Fi ' })).toBe('wi fi');
    expect(productWords(product.name)).toBe(' aspirateur dyson v15 detect wi fi ');
  });
});
