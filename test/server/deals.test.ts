import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ShopperDeal, ShopperNotice } from '../../core/shopper-deal.ts';
import { codeOf, ENGINES, useHarness, useTestDatabase } from './helpers.ts';
import { campaignWithBid, eventually, poolWithMembers, useDealEngine } from './negotiation.ts';

const TIERS = [
  { minQuantity: 5, unitPrice: '120' },
  { minQuantity: 8, unitPrice: '110' },
  { minQuantity: 12, unitPrice: '99.90' },
];

describe.each(ENGINES)('deals on %s', (engine) => {
  const t = useTestDatabase(engine);
  const h = useHarness(t);
  useDealEngine(t, h);

  it('forms at once when the pool already reaches the first tier; one price for everyone', async () => {
    const { poolId, members } = await poolWithMembers(h, [2, 2, 1]);
    const { org, campaign, bid } = await campaignWithBid(h, poolId, TIERS);
    const accepted = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id, confirmWindowHours: 1 });
    expect(accepted.campaign.state).toBe('confirming');
    expect(accepted.deal).toMatchObject({ tierReached: 0, unitPrice: '120', currency: 'EUR', state: 'confirming', firmQuantity: 0 });
    for (const m of members) {
      const [deal] = await m.caller.deals.mine();
      expect(deal).toMatchObject({ dealId: accepted.deal!.dealId, unitPrice: '120', tierReached: 0, myCommitment: null, organiserMargin: '5%' });
    }
  });

  it('forms when joins bring the pool to the first tier, through the engine', async () => {
    const { poolId, productId } = await poolWithMembers(h, [1, 1]);
    const { org, campaign, bid } = await campaignWithBid(h, poolId, TIERS);
    const accepted = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id });
    expect(accepted.deal).toBeNull();
    expect(accepted.campaign.state).toBe('open');
    const s = await h.shopper();
    await s.caller.intents.register({ id: randomUUID(), productId, quantity: 3, currency: 'EUR', region: 'FR' });
    const deal = await eventually(async () => (await s.caller.deals.mine())[0], 10_000, 'the deal');
    expect(deal).toMatchObject({ state: 'confirming', unitPrice: '120', myQuantity: 3 });
    const detail = await org.caller.campaigns.get({ campaignId: campaign.id });
    expect(detail.campaign.state).toBe('confirming');
  });

  it('tells a shopper who joins after the deal formed, once', async () => {
    const { poolId, productId } = await poolWithMembers(h, [5]);
    const { org, campaign, bid } = await campaignWithBid(h, poolId, TIERS);
    const { deal } = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id });
    const late = await h.shopper();
    await late.caller.intents.register({ id: randomUUID(), productId, quantity: 2, currency: 'EUR', region: 'FR' });
    const notices = () =>
      t.handle.db
        .selectFrom('event')
        .select('payload')
        .where('topic', '=', `shopper:${late.shopperId}`)
        .where('type', '=', 'deal.formed')
        .execute();
    const [notice] = await eventually(async () => {
      const rows = await notices();
      return rows.length > 0 ? rows : null;
    }, 10_000, 'the late notice');
    expect(notice!.payload).toMatchObject({ type: 'deal.formed', dealId: deal!.dealId, unitPrice: '120' });
    // Another join in the pool does not tell them again.
    await (await h.shopper()).caller.intents.register({ id: randomUUID(), productId, quantity: 1, currency: 'EUR', region: 'FR' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await notices()).toHaveLength(1);
    expect((await late.caller.deals.mine())[0]).toMatchObject({ dealId: deal!.dealId, myQuantity: 2, myCommitment: null });
  });

  it('drops the price for every member, including those who confirmed first, and closes with a hand-off', async () => {
    const { poolId, members } = await poolWithMembers(h, [3, 3, 2, 2, 2]);
    const { org, campaign, bid, supplier } = await campaignWithBid(h, poolId, TIERS);
    const { deal } = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id, confirmWindowHours: 1 });
    const dealId = deal!.dealId;
    const [a, b, c, d, e] = members;
    await a!.caller.commitments.respond({ dealId, decision: 'confirm', shareContact: { name: '=HYPERLINK("x")', email: 'a@example.org' } });
    await b!.caller.commitments.respond({ dealId, decision: 'confirm' });
    // 6 confirmed: still tier 0. Then 8: tier 1, for all.
    expect((await a!.caller.deals.mine())[0]).toMatchObject({ unitPrice: '120', firmQuantity: 6, myCommitment: 'confirmed' });
    const after = await c!.caller.commitments.respond({ dealId, decision: 'confirm' });
    expect(after).toMatchObject({ unitPrice: '110', tierReached: 1, firmQuantity: 8 });
    expect((await a!.caller.deals.mine())[0]).toMatchObject({ unitPrice: '110', tierReached: 1 });
    // Idempotent, and a changed mind is counted once.
    await c!.caller.commitments.respond({ dealId, decision: 'confirm' });
    await d!.caller.commitments.respond({ dealId, decision: 'decline' });
    await d!.caller.commitments.respond({ dealId, decision: 'decline' });
    const view = await org.caller.campaigns.get({ campaignId: campaign.id });
    expect(view.deal).toMatchObject({ firmQuantity: 8, confirmedMembers: 3, declinedMembers: 1, tierReached: 1 });
    expect(await codeOf(supplier.deals.handoff({ dealId }))).toBe('PRECONDITION_FAILED');
    const closed = await org.caller.deals.close({ dealId });
    expect(closed.state).toBe('closed');
    expect(await codeOf(e!.caller.commitments.respond({ dealId, decision: 'confirm' }))).toBe('PRECONDITION_FAILED');
    const handoff = await supplier.deals.handoff({ dealId });
    expect(handoff.lines).toHaveLength(3);
    expect(handoff.lines.map((l) => l.quantity).sort()).toEqual([2, 3, 3]);
    expect(handoff.lines.filter((l) => l.email !== null)).toEqual([{ line: 1, quantity: 3, name: '=HYPERLINK("x")', email: 'a@example.org', address: null }]);

    // What the server sends members is what the extension accepts: the contract of core/shopper-deal.ts.
    for (const m of members) expect(ShopperDeal.array().parse(await m.caller.deals.mine())).toHaveLength(1);
    const notices = await t.handle.db
      .selectFrom('event')
      .select(['type', 'payload'])
      .where('topic', 'in', members.map((m) => `shopper:${m.shopperId}`))
      .execute();
    expect(new Set(notices.map((n) => n.type))).toEqual(new Set(['deal.formed', 'deal.tier-dropped', 'deal.closed']));
    for (const n of notices) expect(ShopperNotice.parse(n.payload).type).toBe(n.type);
  });
});
