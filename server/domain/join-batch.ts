import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

/** A shopper joining the existing pool of a product the server knows (the extension's usual registration). */
export interface PoolJoin {
  id: string;
  shopperId: string;
  productId: string;
  quantity: number;
  maxPrice: string | null;
  currency: string;
  region: string;
}

export type PoolJoinOutcome =
  | { kind: 'joined'; poolId: string; createdAt: Date; memberCount: number; totalQuantity: number; poolUpdatedAt: Date }
  /** The id was registered before: a retry (the caller answers with the intent registered then). */
  | { kind: 'retry' }
  /** No live pool for this product, currency and region (or the product was merged): the general path. */
  | { kind: 'no-pool' };

interface Pending {
  join: PoolJoin;
  resolve: (outcome: PoolJoinOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the busiest write. Joins that arrive while a statement is being written wait for it and
 * then go together, in one statement: under load PostgreSQL parses, plans and commits once for many joins
 * (bench:server), and a join that arrives alone goes at once, as before. Each join's effects are those of
 * one: its intent, its pool's counters and price levels, one pool event per pool and statement.
 *
 * One join can fail the statement for all (a second live intent for the same product): the batch is then
 * written again one join at a time, so that each gets its own answer. Two joins with the same id never share
 * a statement: the second waits for the next, where it is seen as a retry.
 */
export class JoinBatcher {
  readonly #db: Kysely<Database>;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  /** One statement at a time: bench:server measured no gain from two on two cores. */
  #writing = false;

  constructor(db: Kysely<Database>, maxBatch = 100) {
    this.#db = db;
    this.#maxBatch = maxBatch;
  }

  join(join: PoolJoin): Promise<PoolJoinOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ join, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) await this.#write(this.#take());
    } finally {
      this.#writing = false;
    }
  }

  #take(): Pending[] {
    const batch: Pending[] = [];
    const ids = new Set<string>();
    const later: Pending[] = [];
    for (const pending of this.#queue) {
      if (batch.length < this.#maxBatch && !ids.has(pending.join.id)) {
        batch.push(pending);
        ids.add(pending.join.id);
      } else later.push(pending);
    }
    this.#queue = later;
    return batch;
  }

  async #write(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await joinPools(this.#db, batch.map((p) => p.join));
      batch.forEach((pending, i) => pending.resolve(outcomes[i]!));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const pending of batch) await this.#write([pending]);
    }
  }
}

/**
 * One statement, atomic without an explicit transaction: every part hangs off the intent inserts, so a
 * retried id (its insert does nothing) changes nothing either. Outcomes in the order of `joins`.
 */
async function joinPools(db: Kysely<Database>, joins: readonly PoolJoin[]): Promise<PoolJoinOutcome[]> {
  const column = <T>(pick: (join: PoolJoin) => T) => joins.map(pick);
  const result = await sql<{
    n: number;
    pool_id: string | null;
    inserted: boolean;
    intent_created_at: Date | null;
    member_count: number | null;
    total_quantity: number | null;
    pool_updated_at: Date | null;
  }>`
    with input as (
      select * from unnest(
        ${column((j) => j.id)}::uuid[], ${column((j) => j.shopperId)}::uuid[], ${column((j) => j.productId)}::uuid[],
        ${column((j) => j.quantity)}::int[], ${column((j) => j.maxPrice)}::numeric[], ${column((j) => j.currency)}::text[],
        ${column((j) => j.region)}::text[]
      ) with ordinality as x(id, shopper_id, product_id, quantity, max_price, currency, region, n)
    ),
    -- The pools, locked in the order of their ids: statements from several server processes that touch the
    -- same pools then wait for each other instead of deadlocking.
    pools as (
      select pool.id, pool.product_id, pool.currency, pool.region from pool
      join product on product.id = pool.product_id and product.merged_into is null
      where pool.merged_into is null
        and (pool.product_id, pool.currency, pool.region) in (select product_id, currency, region from input)
      order by pool.id
      for update of pool
    ),
    target as (
      select input.*, pools.id as pool_id from input
      join pools on pools.product_id = input.product_id and pools.currency = input.currency and pools.region = input.region
    ),
    i as (
      insert into intent (id, shopper_id, product_id, pool_id, quantity, max_price, currency, region)
      select id, shopper_id, product_id, pool_id, quantity, max_price, currency, region from target
      on conflict (id) do nothing
      returning id, pool_id, quantity, max_price, created_at
    ),
    joined as (
      select pool_id, count(*)::int as members, sum(quantity) as quantity,
        (count(*) filter (where max_price is null))::int as open_members,
        coalesce(sum(quantity) filter (where max_price is null), 0) as open_quantity
      from i group by pool_id
    ),
    upd as (
      update pool set
        member_count = pool.member_count + joined.members,
        total_quantity = pool.total_quantity + joined.quantity,
        open_members = pool.open_members + joined.open_members,
        open_quantity = pool.open_quantity + joined.open_quantity,
        updated_at = now()
      from joined where pool.id = joined.pool_id
      returning pool.id, pool.product_id, pool.currency, pool.region, pool.member_count, pool.total_quantity, pool.updated_at
    ),
    lvl as (
      insert into pool_price_level (pool_id, max_price, members, quantity)
      select pool_id, max_price, count(*), sum(quantity) from i where max_price is not null group by pool_id, max_price
      on conflict (pool_id, max_price) do update set
        members = pool_price_level.members + excluded.members, quantity = pool_price_level.quantity + excluded.quantity
    ),
    ev as (
      insert into event (topic, type, payload)
      select 'pool:' || upd.id, 'pool.changed', jsonb_build_object(
        'id', upd.id, 'productId', upd.product_id, 'currency', upd.currency, 'region', upd.region,
        'memberCount', upd.member_count, 'totalQuantity', upd.total_quantity,
        'updatedAt', to_char(upd.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'reason', 'join')
      from upd
    )
    select input.n::int as n, target.pool_id, (i.id is not null) as inserted, i.created_at as intent_created_at,
      upd.member_count, upd.total_quantity, upd.updated_at as pool_updated_at
    from input
    left join target on target.n = input.n
    left join i on i.id = target.id
    left join upd on upd.id = target.pool_id
    order by input.n
  `.execute(db);
  return result.rows.map((row): PoolJoinOutcome => {
    if (!row.pool_id) return { kind: 'no-pool' };
    if (!row.inserted) return { kind: 'retry' };
    return {
      kind: 'joined',
      poolId: row.pool_id,
      createdAt: row.intent_created_at!,
      memberCount: Number(row.member_count),
      totalQuantity: Number(row.total_quantity),
      poolUpdatedAt: row.pool_updated_at!,
    };
  });
}
