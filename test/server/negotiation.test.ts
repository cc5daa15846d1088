import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ShopperNotice } from '../../core/shopper-deal.ts';
import { codeOf, ENGINES, snapshot, useHarness, useTestDatabase } from './helpers.ts';
import { campaignWithBid, collect, eventually, inDays, lastEventId, poolWithMembers, subscriptionIterator, useDealEngine } from './negotiation.ts';

const TIERS = [
  { minQuantity: 4, unitPrice: '120' },
  { minQuantity: 6, unitPrice: '100' },
];

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
    return { code: 'OK', message: '' };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { code: e.code ?? 'THROWN', message: e.message ?? '' };
  }
}

describe.each(ENGINES)('negotiation on %s', (engine) => {
  const t = useTestDatabase(engine);
  const h = useHarness(t);
  const dealEngine = useDealEngine(t, h, 100);

  it('checks every campaign transition through the API, with clear errors', async () => {
    const { poolId } = await poolWithMembers(h, [1]);
    const org = await h.organiser();
    const campaign = await org.caller.campaigns.create({ poolId, targetPrice: '99.90', deadline: inDays(3), organiserMargin: '2.50' });
    expect(campaign).toMatchObject({ state: 'draft', targetPrice: '99.9', organiserMargin: '2.50' });
    // A second campaign on the same pool is refused while this one is under way.
    expect(await codeOf(org.caller.campaigns.create({ poolId, targetPrice: '90', deadline: inDays(3), organiserMargin: '5%' }))).toBe('CONFLICT');
    const invitation = await org.caller.campaigns.inviteSupplier({ campaignId: campaign.id, supplierName: 'Acme' });
    expect(invitation.link).toBe(`/supplier#token=${invitation.token}`);
    const supplier = h.caller({ role: 'supplier', invitationId: invitation.invitationId, campaignId: campaign.id });
    // Bids only while open.
    expect(await errorOf(supplier.bids.submit({ tiers: TIERS, validUntil: inDays(5) }))).toEqual({
      code: 'PRECONDITION_FAILED',
      message: 'This campaign is not open for bids.',
    });
    await org.caller.campaigns.open({ campaignId: campaign.id });
    expect(await errorOf(org.caller.campaigns.open({ campaignId: campaign.id }))).toEqual({
      code: 'PRECONDITION_FAILED',
      message: 'Cannot open a campaign that is open for bids (only when a draft).',
    });
    const bid = await supplier.bids.submit({ tiers: TIERS, validUntil: inDays(5) });
    const cancelled = await org.caller.campaigns.cancel({ campaignId: campaign.id });
    expect(cancelled.state).toBe('failed');
    expect(await codeOf(org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id }))).toBe('PRECONDITION_FAILED');
    expect(await codeOf(org.caller.campaigns.cancel({ campaignId: campaign.id }))).toBe('PRECONDITION_FAILED');
    // Another organiser does not see it at all.
    const other = await h.organiser();
    expect(await codeOf(other.caller.campaigns.get({ campaignId: campaign.id }))).toBe('NOT_FOUND');
    // A failed campaign frees the pool for a new one.
    const next = await org.caller.campaigns.create({ poolId, targetPrice: '90', deadline: inDays(3), organiserMargin: '5%' });
    expect(next.state).toBe('draft');
  });

  it('validates tiers, revises a bid in place, and refuses a closed or accepted one', async () => {
    const { poolId } = await poolWithMembers(h, [1]);
    const { org, campaign, supplier, bid } = await campaignWithBid(h, poolId, [{ minQuantity: 100, unitPrice: '50' }]);
    const bad = await errorOf(
      supplier.bids.submit({ tiers: [{ minQuantity: 10, unitPrice: '5' }, { minQuantity: 5, unitPrice: '6' }], validUntil: inDays(5) }),
    );
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toContain('minimum quantities must strictly increase (5 after 10)');
    expect(bad.message).toContain('a larger quantity may not cost more per unit (6 after 5)');
    expect(await codeOf(supplier.bids.submit({ tiers: [{ minQuantity: 10, unitPrice: '5' }], validUntil: inDays(-1) }))).toBe('BAD_REQUEST');
    expect(await codeOf(supplier.bids.submit({ tiers: [{ minQuantity: 10, unitPrice: '-5' }], validUntil: inDays(1) }))).toBe('BAD_REQUEST');
    const revised = await supplier.bids.submit({ tiers: TIERS, validUntil: inDays(6), conditions: 'Franco de port' });
    expect(revised).toMatchObject({ id: bid.id, revision: 2, tiers: TIERS, conditions: 'Franco de port' });
    expect(await supplier.bids.mine()).toMatchObject({ id: bid.id, revision: 2 });
    // The organiser compares it against the pool and the market.
    const detail = await org.caller.campaigns.get({ campaignId: campaign.id });
    expect(detail.bids).toHaveLength(1);
    expect(detail.bids[0]!.comparison.map((c) => [c.minQuantity, c.reachedToday, c.meetsTarget])).toEqual([
      [4, false, true],
      [6, false, true],
    ]);
    expect(detail.lowestMarketPrice).toBe('199.99');
    expect(detail.bids[0]!.comparison[0]!.belowMarketBy).toBe('-79.99');
    expect(detail.dropout).toMatchObject({ pastDeals: 0, observedMembers: 0 });
    expect(detail.dropout.rate).toBeCloseTo(0.3);
  });

  it('forms no deal on an expired bid, and lets the organiser accept another then', async () => {
    const { poolId, productId } = await poolWithMembers(h, [2]);
    const { org, campaign, bid } = await campaignWithBid(h, poolId, TIERS);
    const rival = await org.caller.campaigns.inviteSupplier({ campaignId: campaign.id, supplierName: 'Rival' });
    const rivalBid = await h
      .caller({ role: 'supplier', invitationId: rival.invitationId, campaignId: campaign.id })
      .bids.submit({ tiers: [{ minQuantity: 4, unitPrice: '125' }], validUntil: inDays(5) });
    expect((await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id })).deal).toBeNull();
    expect(await codeOf(org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: rivalBid.id }))).toBe('CONFLICT');
    // The accepted offer runs out before the pool grows (time moved forward in the database).
    await t.handle.db.updateTable('bid').set({ valid_until: new Date(Date.now() - 1000) }).where('id', '=', bid.id).execute();
    await (await h.shopper()).caller.intents.register({ id: randomUUID(), productId, quantity: 3, currency: 'EUR', region: 'FR' });
    await dealEngine.engine.sweep();
    expect((await org.caller.campaigns.get({ campaignId: campaign.id })).deal).toBeNull();
    const second = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: rivalBid.id });
    expect(second.campaign).toMatchObject({ state: 'confirming', acceptedBidId: rivalBid.id });
    expect(second.deal).toMatchObject({ unitPrice: '125', tierReached: 0 });
  });

  it('shows shoppers the open campaign’s leading offer in their product lookup, never the supplier', async () => {
    const page = snapshot();
    const a = await h.shopper();
    const joined = await a.caller.intents.register({ id: randomUUID(), snapshot: page, quantity: 3, maxPrice: '110', currency: 'EUR', region: 'FR' });
    const lookup = () => a.caller.products.lookup({ snapshot: page });
    expect((await lookup()).campaign).toBeNull();
    const org = await h.organiser();
    const campaign = await org.caller.campaigns.create({ poolId: joined.pool.id, targetPrice: '150', deadline: inDays(10), organiserMargin: '5%' });
    // A draft is the organiser's own business.
    expect((await lookup()).campaign).toBeNull();
    await org.caller.campaigns.open({ campaignId: campaign.id });
    expect((await lookup()).campaign).toEqual({
      campaignId: campaign.id,
      deadline: campaign.deadline,
      organiserMargin: '5%',
      currency: 'EUR',
      tiers: [],
      tierReached: null,
      wantedQuantity: 3,
    });
    const invitation = await org.caller.campaigns.inviteSupplier({ campaignId: campaign.id, supplierName: 'Fournisseur Discret SA' });
    const supplier = h.caller({ role: 'supplier', invitationId: invitation.invitationId, campaignId: campaign.id });
    const bid = await supplier.bids.submit({ tiers: TIERS, validUntil: inDays(20) });
    expect((await lookup()).campaign).toMatchObject({ tiers: TIERS, tierReached: null, wantedQuantity: 3 });
    // A second member brings the group to 5 units: the first tier (4) is reached.
    await (await h.shopper()).caller.intents.register({ id: randomUUID(), productId: joined.intent.productId, quantity: 2, currency: 'EUR', region: 'FR' });
    const seen = await lookup();
    expect(seen.campaign).toMatchObject({ tiers: TIERS, tierReached: 0, wantedQuantity: 5 });
    expect(JSON.stringify(seen)).not.toContain('Fournisseur');
    expect(JSON.stringify(seen)).not.toContain(bid.id);
    // Once accepted, the deal is what shoppers follow.
    await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id });
    expect((await lookup()).campaign).toBeNull();
  });

  it('shows a supplier aggregated demand only, never an identity', async () => {
    const page = snapshot({ name: 'Perceuse Zorblax P-42' });
    const a = await h.shopper();
    const first = await a.caller.intents.register({ id: randomUUID(), snapshot: page, quantity: 2, maxPrice: '140', currency: 'EUR', region: 'FR' });
    const others = await Promise.all([1, 3].map(async (quantity, i) => {
      const s = await h.shopper();
      const r = await s.caller.intents.register({ id: randomUUID(), productId: first.intent.productId, quantity, maxPrice: i === 0 ? '120' : null, currency: 'EUR', region: 'FR' });
      return { ...s, intentId: r.intent.id };
    }));
    const { supplier } = await campaignWithBid(h, first.pool.id, TIERS);
    const view = await supplier.bids.campaign();
    expect(view.demand).toMatchObject({ members: 3, quantity: 6, region: 'FR', currency: 'EUR' });
    expect(view.demand.curve).toEqual([
      { price: '140', members: 2, quantity: 5 },
      { price: '120', members: 3, quantity: 6 },
    ]);
    expect(view.product.name).toBe('Perceuse Zorblax P-42');
    const text = JSON.stringify(view);
    const secrets = [a.shopperId, a.token, first.intent.id, page.url, ...others.flatMap((o) => [o.shopperId, o.token, o.intentId])];
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(Object.keys(view).sort()).toEqual(['campaign', 'deal', 'demand', 'myBid', 'product']);
  });

  it('alerts shoppers whose interests match when a campaign opens, and only them', async () => {
    const fan = await h.shopper();
    const byCategory = await h.shopper();
    const stranger = await h.shopper();
    expect(await fan.caller.interests.set({ interests: [{ kind: 'keyword', value: 'Trottinette' }, { kind: 'keyword', value: 'trottinette ' }] })).toEqual([
      { kind: 'keyword', value: 'trottinette' },
    ]);
    await byCategory.caller.interests.set({ interests: [{ kind: 'category', value: 'Mobilité Urbaine' }] });
    await stranger.caller.interests.set({ interests: [{ kind: 'keyword', value: 'trott' }, { kind: 'category', value: 'jardin' }] });
    expect(await byCategory.caller.interests.list()).toEqual([{ kind: 'category', value: 'mobilite urbaine' }]);
    expect(await codeOf(fan.caller.interests.set({ interests: Array.from({ length: 51 }, (_, i) => ({ kind: 'keyword' as const, value: `k${i}` })) }))).toBe('BAD_REQUEST');

    const since = await lastEventId(t);
    const iterators = [fan, byCategory, stranger].map((s) => subscriptionIterator<ShopperNotice>(s.caller.events.shopper({ lastEventId: since })));
    const pending = iterators.map((it) => collect(it, 1, 3000));
    const { poolId } = await poolWithMembers(h, [1], { name: 'Trottinette électrique Zorblax T9' });
    const { campaign } = await campaignWithBid(h, poolId, TIERS, { category: 'mobilité urbaine' });
    const [fanEvents, categoryEvents, strangerEvents] = await Promise.all(pending);
    for (const it of iterators) await it.return?.();
    expect(fanEvents!.map((e) => e.data)).toEqual([
      { type: 'campaign.opened', campaignId: campaign.id, productName: 'Trottinette électrique Zorblax T9', currency: 'EUR' },
    ]);
    expect(categoryEvents!.map((e) => e.data.type)).toEqual(['campaign.opened']);
    expect(strangerEvents).toEqual([]);
  });

  it('announces the closing window once, closes it on time, and refuses late answers', async () => {
    const { poolId, members } = await poolWithMembers(h, [4, 2]);
    const [a, b] = members;
    const { org, campaign, bid } = await campaignWithBid(h, poolId, TIERS);
    const since = await lastEventId(t);
    const shopperA = subscriptionIterator<ShopperNotice>(a!.caller.events.shopper({ lastEventId: since }));
    const shopperB = subscriptionIterator<ShopperNotice>(b!.caller.events.shopper({ lastEventId: since }));
    const organiser = subscriptionIterator<{ type: string }>(org.caller.events.campaign({ campaignId: campaign.id, lastEventId: since }));
    const gotA = collect(shopperA, 2, 8000);
    const gotB = collect(shopperB, 3, 8000);
    const gotOrg = collect(organiser, 5, 8000);
    // A 3-second window: "closing soon" is announced 0.75 s before its end.
    const { deal } = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id, confirmWindowHours: 3 / 3600 });
    await a!.caller.commitments.respond({ dealId: deal!.dealId, decision: 'confirm' });
    const closed = await eventually(async () => {
      const [d] = await a!.caller.deals.mine();
      return d?.state === 'confirming' ? null : d;
    }, 10_000, 'the close').catch((e: unknown) => {
      throw new Error(`${String(e)}; engine: ${String(dealEngine.engine.lastError)}`);
    });
    expect(closed).toMatchObject({ state: 'closed', firmQuantity: 4, myCommitment: 'confirmed', windowOpen: false });
    expect(await errorOf(b!.caller.commitments.respond({ dealId: deal!.dealId, decision: 'confirm' }))).toEqual({
      code: 'PRECONDITION_FAILED',
      message: 'The confirmation window of this deal is closed: answers are no longer accepted.',
    });
    const [eventsA, eventsB, eventsOrg] = await Promise.all([gotA, gotB, gotOrg]);
    for (const it of [shopperA, shopperB, organiser]) await it.return?.();
    // A confirmed: no reminder. B never answered: reminded once.
    expect(eventsA.map((e) => e.data.type)).toEqual(['deal.formed', 'deal.closed']);
    expect(eventsB.map((e) => e.data.type)).toEqual(['deal.formed', 'deal.window-closing', 'deal.closed']);
    expect(eventsB[2]!.data).toMatchObject({ outcome: 'closed', unitPrice: '120', currency: 'EUR', dealId: deal!.dealId });
    expect(eventsOrg.map((e) => e.data.type)).toEqual(['campaign.bid-accepted', 'deal.formed', 'deal.commitment', 'deal.window-closing', 'deal.closed']);
    // Event ids grow: a reconnecting client resumes after the last one it saw.
    const ids = eventsB.map((e) => Number(e.id));
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    const resumed = subscriptionIterator<ShopperNotice>(b!.caller.events.shopper({ lastEventId: String(ids[0]) }));
    expect((await collect(resumed, 2, 3000)).map((e) => e.data.type)).toEqual(['deal.window-closing', 'deal.closed']);
    await resumed.return?.();
  });

  it('fails a deal whose firm quantity stays under the first tier, and learns the dropout rate from it', async () => {
    const { poolId, members } = await poolWithMembers(h, [2, 2, 2, 2], { name: 'Tondeuse Zorblax R1' });
    const { org, campaign, bid } = await campaignWithBid(h, poolId, TIERS, { category: 'Jardin' });
    const before = await org.caller.campaigns.plan({ poolId, tiers: TIERS });
    expect(before.dropout).toMatchObject({ category: 'jardin', pastDeals: 0 });
    expect(before.expectedFirmQuantity).toBe(5);
    expect(before.plan!.expectedTier).toBe(0);
    const { deal } = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id });
    await members[0]!.caller.commitments.respond({ dealId: deal!.dealId, decision: 'confirm' });
    await members[1]!.caller.commitments.respond({ dealId: deal!.dealId, decision: 'decline' });
    const closed = await org.caller.deals.close({ dealId: deal!.dealId });
    expect(closed).toMatchObject({ state: 'failed', firmQuantity: 2 });
    // Closing again changes nothing.
    expect((await org.caller.deals.close({ dealId: deal!.dealId })).state).toBe('failed');
    expect((await org.caller.campaigns.get({ campaignId: campaign.id })).campaign.state).toBe('failed');
    // 4 members, 3 dropped (one declined, two silent): (3 + 3) / (10 + 4).
    const after = await org.caller.campaigns.plan({ poolId, tiers: TIERS });
    expect(after.dropout).toMatchObject({ pastDeals: 1, observedMembers: 4 });
    expect(after.dropout.rate).toBeCloseTo(6 / 14);
    expect(after.expectedFirmQuantity).toBe(Math.floor(8 * (1 - 6 / 14)));
  });
});
