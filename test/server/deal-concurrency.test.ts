import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../server/db/index.ts';
import { DealEngine } from '../../server/domain/deal-engine.ts';
import { formDeal } from '../../server/domain/deals.ts';
import { EventBus } from '../../server/events/bus.ts';
import { ENGINES, TEST_DATABASE_URL, useHarness, useTestDatabase, type Caller } from './helpers.ts';
import { campaignWithBid, eventually, poolWithMembers, useDealEngine } from './negotiation.ts';

/**
 * Exactly once under load: hundreds of concurrent joins across the first tier, with two deal engines
 * (as two server processes would run) racing to form the deal; hundreds of concurrent confirmations and
 * joins across a cheaper tier. Counts are checked exactly.
 */

const JOINERS = 300;

async function shoppers(h: ReturnType<typeof useHarness>, n: number): Promise<Array<{ caller: Caller; shopperId: string }>> {
  const out: Array<{ caller: Caller; shopperId: string }> = [];
  // Created in batches: this part is set-up, not what is under test.
  for (let i = 0; i < n; i += 50) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => h.shopper()))));
  }
  return out;
}

async function countEvents(db: DatabaseHandle['db'], where: { topic?: string; topicPrefix?: string; type: string; dealId?: string }) {
  let query = db.selectFrom('event').select(sql<number>`count(*)::int`.as('n')).where('type', '=', where.type);
  if (where.topic) query = query.where('topic', '=', where.topic);
  if (where.topicPrefix) query = query.where('topic', 'like', `${where.topicPrefix}%`);
  if (where.dealId) query = query.where(sql<boolean>`payload->>'dealId' = ${where.dealId}`);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

describe.each(ENGINES)('exactly-once deals on %s', (engine) => {
  const t = useTestDatabase(engine);
  const h = useHarness(t);
  const first = useDealEngine(t, h, 100);
  // A second "process": its own connections (on PostgreSQL), its own bus and engine.
  let otherHandle: DatabaseHandle | undefined;
  let otherBus: EventBus | undefined;
  let otherEngine: DealEngine | undefined;
  beforeAll(async () => {
    otherHandle = engine === 'postgresql' ? await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema: t.schema, poolSize: 8 }) : t.handle;
    otherBus = new EventBus(otherHandle);
    await otherBus.start();
    otherEngine = new DealEngine(otherHandle.db, otherBus, { sweepMs: 100 });
    await otherEngine.start();
  });
  afterAll(async () => {
    await otherEngine?.stop();
    await otherBus?.stop();
    if (otherHandle && otherHandle !== t.handle) await otherHandle.close();
  });

  it(`forms one deal when ${JOINERS} concurrent joins cross the first tier, with two engines racing`, async () => {
    const { db } = t.handle;
    const { poolId, productId } = await poolWithMembers(h, Array.from({ length: 10 }, () => 1));
    const { org, campaign, bid } = await campaignWithBid(h, poolId, [
      { minQuantity: 150, unitPrice: '100' },
      { minQuantity: 1000, unitPrice: '90' },
    ]);
    const accepted = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id });
    expect(accepted.deal).toBeNull();
    const joiners = await shoppers(h, JOINERS);

    const results = await Promise.all(
      joiners.map((s) => s.caller.intents.register({ id: randomUUID(), productId, quantity: 1, currency: 'EUR', region: 'FR' })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(JOINERS);

    const deal = await eventually(() => db.selectFrom('deal').selectAll().where('campaign_id', '=', campaign.id).executeTakeFirst(), 15_000, 'the deal');
    // Let both engines finish whatever they were doing, and sweep once more: nothing may change.
    await first.engine.sweep();
    await otherEngine!.sweep();
    await new Promise((resolve) => setTimeout(resolve, 300));

    const deals = await db.selectFrom('deal').select('id').where('campaign_id', '=', campaign.id).execute();
    expect(deals).toHaveLength(1);
    expect(await countEvents(db, { topic: `campaign:${campaign.id}`, type: 'deal.formed' })).toBe(1);
    const pool = await db.selectFrom('pool').selectAll().where('id', '=', poolId).executeTakeFirstOrThrow();
    expect(pool.member_count).toBe(10 + JOINERS);
    expect(Number(pool.total_quantity)).toBe(10 + JOINERS);
    const formed = await db.selectFrom('event').select('payload').where('topic', '=', `campaign:${campaign.id}`).where('type', '=', 'deal.formed').executeTakeFirstOrThrow();
    const poolQuantityAtFormation = (formed.payload as { poolQuantity: number }).poolQuantity;
    expect(poolQuantityAtFormation).toBeGreaterThanOrEqual(150);
    // One notice per member of the pool at formation, none twice (read committed: joins that committed
    // between the pool read and the notice statement of the formation are members too, and notified).
    const notices = await countEvents(db, { topicPrefix: 'shopper:', type: 'deal.formed', dealId: deal.id });
    const distinct = await db
      .selectFrom('event')
      .select(sql<number>`count(distinct topic)::int`.as('n'))
      .where('type', '=', 'deal.formed')
      .where(sql<boolean>`payload->>'dealId' = ${deal.id}`)
      .where('topic', 'like', 'shopper:%')
      .executeTakeFirstOrThrow();
    expect(notices).toBeGreaterThanOrEqual(poolQuantityAtFormation);
    expect(notices).toBeLessThanOrEqual(10 + JOINERS);
    expect(Number(distinct.n)).toBe(notices);
    // Those who joined after the formation are told by the engines as their joins arrive: in the end every
    // member exactly once, though two engines saw every join.
    await eventually(async () => (await countEvents(db, { topicPrefix: 'shopper:', type: 'deal.formed', dealId: deal.id })) === 10 + JOINERS, 15_000, 'a notice for every member');
    await first.engine.sweep();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await countEvents(db, { topicPrefix: 'shopper:', type: 'deal.formed', dealId: deal.id })).toBe(10 + JOINERS);
    expect((await org.caller.campaigns.get({ campaignId: campaign.id })).campaign.state).toBe('confirming');
    // Everyone in the pool, early or late, sees the same deal at the same price.
    const seen = await Promise.all(joiners.slice(0, 40).map((s) => s.caller.deals.mine()));
    for (const [d] of seen) expect(d).toMatchObject({ dealId: deal.id, unitPrice: '100', tierReached: 0 });
  });

  it('forms once when fifty formations are attempted at the same moment from two processes', async () => {
    const { db } = t.handle;
    const { poolId } = await poolWithMembers(h, [5, 5]);
    const { campaign, bid } = await campaignWithBid(h, poolId, [{ minQuantity: 10, unitPrice: '50' }]);
    // Accept without the immediate formation, so the race below is the first attempt.
    await db.updateTable('campaign').set({ accepted_bid_id: bid.id }).where('id', '=', campaign.id).execute();
    const attempts = await Promise.all(
      Array.from({ length: 50 }, (_, i) => formDeal(i % 2 === 0 ? h.bus : otherBus!, campaign.id)),
    );
    expect(attempts.filter((d) => d !== null)).toHaveLength(1);
    expect(await db.selectFrom('deal').select('id').where('campaign_id', '=', campaign.id).execute()).toHaveLength(1);
    expect(await countEvents(db, { topic: `campaign:${campaign.id}`, type: 'deal.formed' })).toBe(1);
  });

  it('counts hundreds of concurrent confirmations and joins exactly, and drops the tier once for everyone', async () => {
    const { db } = t.handle;
    const existing = await shoppers(h, 300);
    const { poolId, productId } = await poolWithMembers(h, [2]);
    for (let i = 0; i < existing.length; i += 50) {
      await Promise.all(
        existing.slice(i, i + 50).map((s) => s.caller.intents.register({ id: randomUUID(), productId, quantity: 2, currency: 'EUR', region: 'FR' })),
      );
    }
    const { org, campaign, bid } = await campaignWithBid(h, poolId, [
      { minQuantity: 100, unitPrice: '100' },
      { minQuantity: 601, unitPrice: '90' },
      { minQuantity: 800, unitPrice: '80' },
    ]);
    const { deal } = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id, confirmWindowHours: 1 });
    const dealId = deal!.dealId;
    const late = await shoppers(h, 50);

    // 280 confirm (560 units), 20 decline, 50 join now and confirm (100 units): 660 confirmed, tier 601 crossed once.
    const confirmers = existing.slice(0, 280);
    const decliners = existing.slice(280);
    await Promise.all([
      ...confirmers.map((s) => s.caller.commitments.respond({ dealId, decision: 'confirm' })),
      ...decliners.map((s) => s.caller.commitments.respond({ dealId, decision: 'decline' })),
      ...late.map(async (s) => {
        await s.caller.intents.register({ id: randomUUID(), productId, quantity: 2, currency: 'EUR', region: 'FR' });
        return s.caller.commitments.respond({ dealId, decision: 'confirm' });
      }),
      // Retries of the same answers, at the same time: idempotent.
      ...confirmers.slice(0, 30).map((s) => s.caller.commitments.respond({ dealId, decision: 'confirm' })),
    ]);

    const view = (await org.caller.campaigns.get({ campaignId: campaign.id })).deal!;
    expect(view).toMatchObject({ firmQuantity: 660, confirmedMembers: 330, declinedMembers: 20, tierReached: 1, unitPrice: '90' });
    const rows = await db
      .selectFrom('commitment')
      .select(['decision', sql<number>`count(*)::int`.as('n'), sql<number>`sum(quantity)::int`.as('q')])
      .where('deal_id', '=', dealId)
      .groupBy('decision')
      .orderBy('decision')
      .execute();
    expect(rows.map((r) => [r.decision, Number(r.n), Number(r.q)])).toEqual([
      ['confirmed', 330, 660],
      ['declined', 20, 40],
    ]);
    expect(await countEvents(db, { topic: `campaign:${campaign.id}`, type: 'deal.tier-dropped' })).toBe(1);
    // 350 distinct answers changed something; the 30 retries did not.
    expect(await countEvents(db, { topic: `campaign:${campaign.id}`, type: 'deal.commitment' })).toBe(350);
    // The first to confirm pay the new price too: it is stored once, on the deal.
    for (const s of [...confirmers.slice(0, 20), ...late.slice(0, 5)]) {
      expect((await s.caller.deals.mine())[0]).toMatchObject({ dealId, unitPrice: '90', tierReached: 1, myCommitment: 'confirmed' });
    }
    expect((await decliners[0]!.caller.deals.mine())[0]).toMatchObject({ unitPrice: '90', myCommitment: 'declined' });
  });
});
