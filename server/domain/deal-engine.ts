import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { EventBus } from '../events/bus.ts';
import { expireCampaign } from './campaigns.ts';
import { announceClosing, closeDeal, formDeal, noticeLateMembers } from './deals.ts';

/**
 * What moves deals without a request: every server process runs one engine. It follows the event log
 * (so a join committed through any process is seen by all) and forms a deal when a pool with an accepted
 * bid grows past the first tier; a periodic sweep announces closing windows, closes ended ones, expires
 * campaigns past their deadline, and catches any formation an event could not trigger. Every action is
 * guarded in the database (row locks, conditional updates), so several engines never double an effect.
 */

export interface DealEngineOptions {
  /** How often the sweep runs (ms). */
  sweepMs?: number;
}

export class DealEngine {
  readonly #db: Kysely<Database>;
  readonly #bus: EventBus;
  readonly #sweepMs: number;
  /** Pools with an accepted bid waiting for the first tier (pool id → campaign id), refreshed by events and sweeps. */
  readonly #awaiting = new Map<string, string>();
  /** Pools with a deal in its confirmation window (pool id → deal id): a member joining late is told. */
  readonly #confirming = new Map<string, string>();
  #abort: AbortController | null = null;
  #timer: NodeJS.Timeout | null = null;
  #sweeping: Promise<void> | null = null;
  #following: Promise<void> | null = null;
  /** Failures of background work, kept for health and tests (the engine never crashes the process). */
  lastError: unknown = null;

  constructor(db: Kysely<Database>, bus: EventBus, options: DealEngineOptions = {}) {
    this.#db = db;
    this.#bus = bus;
    this.#sweepMs = options.sweepMs ?? 1000;
  }

  async start(): Promise<void> {
    if (this.#abort) return;
    this.#abort = new AbortController();
    await this.#loadAwaiting();
    this.#following = this.#follow(this.#abort.signal);
    this.#timer = setInterval(() => void this.sweep(), this.#sweepMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#abort?.abort();
    this.#abort = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#following?.catch(() => {});
    await this.#sweeping?.catch(() => {});
  }

  async #loadAwaiting(): Promise<void> {
    const rows = await this.#db
      .selectFrom('campaign')
      .select(['id', 'pool_id'])
      .where('state', '=', 'open')
      .where('accepted_bid_id', 'is not', null)
      .execute();
    this.#awaiting.clear();
    for (const row of rows) this.#awaiting.set(row.pool_id, row.id);
    const deals = await this.#db.selectFrom('deal').select(['id', 'pool_id']).where('state', '=', 'confirming').execute();
    this.#confirming.clear();
    for (const row of deals) this.#confirming.set(row.pool_id, row.id);
  }

  async #follow(signal: AbortSignal): Promise<void> {
    for await (const event of this.#bus.subscribe('*', { signal })) {
      try {
        if (event.type === 'campaign.bid-accepted') {
          const payload = event.payload as { campaignId: string; poolId: string };
          this.#awaiting.set(payload.poolId, payload.campaignId);
          await formDeal(this.#bus, payload.campaignId);
        } else if (event.type === 'pool.changed') {
          const { id: poolId, reason } = event.payload as { id: string; reason?: string };
          const campaignId = this.#awaiting.get(poolId);
          const dealId = this.#confirming.get(poolId);
          // Only pools with an accepted bid or a live deal cost a query: the join path stays as fast as before.
          if (campaignId) await formDeal(this.#bus, campaignId);
          else if (dealId && reason === 'join') await noticeLateMembers(this.#bus, dealId);
        } else if (event.type === 'deal.formed' || event.type === 'campaign.failed') {
          for (const [poolId, campaignId] of this.#awaiting) {
            if (`campaign:${campaignId}` === event.topic) this.#awaiting.delete(poolId);
          }
          if (event.type === 'deal.formed' && event.topic.startsWith('campaign:')) {
            const { poolId, dealId } = event.payload as { poolId: string; dealId: string };
            this.#confirming.set(poolId, dealId);
          }
        } else if (event.type === 'deal.closed' && event.topic.startsWith('campaign:')) {
          this.#confirming.delete((event.payload as { poolId: string }).poolId);
        }
      } catch (error) {
        this.lastError = error;
      }
    }
  }

  /** One pass of the timed work. Safe to call at any time (tests call it to avoid waiting). */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweepOnce()
      .catch((error: unknown) => {
        this.lastError = error;
      })
      .finally(() => {
        this.#sweeping = null;
      });
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<void> {
    await this.#loadAwaiting();
    // Formation the events missed (a process that was down, a lost wake-up).
    const reached = await this.#db
      .selectFrom('campaign')
      .innerJoin('bid', 'bid.id', 'campaign.accepted_bid_id')
      .innerJoin('pool', 'pool.id', 'campaign.pool_id')
      .select('campaign.id')
      .where('campaign.state', '=', 'open')
      .where(sql<boolean>`pool.total_quantity >= (bid.tiers -> 0 ->> 'minQuantity')::int`)
      .execute();
    for (const row of reached) await formDeal(this.#bus, row.id);

    const closing = await this.#db
      .selectFrom('deal')
      .select('id')
      .where('state', '=', 'confirming')
      .where('closing_announced', '=', false)
      .where('closing_at', '<=', sql<Date>`now()`)
      // A window already over is closed below: no "closing soon" after the fact.
      .where('confirm_by', '>', sql<Date>`now()`)
      .execute();
    for (const row of closing) await announceClosing(this.#bus, row.id);

    const ended = await this.#db.selectFrom('deal').select('id').where('state', '=', 'confirming').where('confirm_by', '<=', sql<Date>`now()`).execute();
    for (const row of ended) await closeDeal(this.#bus, row.id, null);

    const expired = await this.#db
      .selectFrom('campaign')
      .select('id')
      .where('state', 'in', ['draft', 'open'])
      .where('deadline', '<=', sql<Date>`now()`)
      .execute();
    for (const row of expired) await expireCampaign(this.#bus, row.id);
  }
}
