import { sql, type Kysely, type Transaction } from 'kysely';
import type { DemandPoint, PriceLevel, PriceQuartiles } from '../../core/pricing.ts';
import type { Database, Pool } from '../db/schema.ts';
import { refuse } from '../trpc/refusal.ts';
import type { ProductView } from './products.ts';

/**
 * Pools: the live intents for one product, currency and region. Their aggregates (members, quantity, and
 * the quantity per max price in pool_price_level) are maintained in the same transaction as each intent
 * change, so reading a demand curve costs the number of distinct prices, not the number of intents.
 */

type Db = Kysely<Database> | Transaction<Database>;

export interface PoolSummary {
  id: string;
  productId: string;
  currency: string;
  region: string;
  memberCount: number;
  totalQuantity: number;
  updatedAt: string;
}

export function toPoolSummary(pool: Pool): PoolSummary {
  return {
    id: pool.id,
    productId: pool.product_id,
    currency: pool.currency,
    region: pool.region,
    memberCount: pool.member_count,
    totalQuantity: pool.total_quantity,
    updatedAt: pool.updated_at.toISOString(),
  };
}

/** The pool for a product, currency and region, created empty if needed. */
export async function ensurePool(db: Db, productId: string, currency: string, region: string): Promise<string> {
  const inserted = await db
    .insertInto('pool')
    .values({ product_id: productId, currency, region, merged_into: null })
    .onConflict((oc) => oc.columns(['product_id', 'currency', 'region']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const row = await db
    .selectFrom('pool')
    .select('id')
    .where('product_id', '=', productId)
    .where('currency', '=', currency)
    .where('region', '=', region)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One intent's weight in a pool: +1 member and its quantity at its max price, or the opposite. */
export interface PoolDelta {
  members: 1 | -1;
  quantity: number;
  maxPrice: string | null;
}

/** Applies deltas to a pool's aggregates (pool row first, then price levels: one lock order for everyone). */
export async function applyToPool(db: Db, poolId: string, deltas: readonly PoolDelta[]): Promise<Pool> {
  let members = 0;
  let quantity = 0;
  let openMembers = 0;
  let openQuantity = 0;
  const levels = new Map<string, { members: number; quantity: number }>();
  for (const d of deltas) {
    const q = d.members * d.quantity;
    members += d.members;
    quantity += q;
    if (d.maxPrice === null) {
      openMembers += d.members;
      openQuantity += q;
    } else {
      const level = levels.get(d.maxPrice) ?? { members: 0, quantity: 0 };
      level.members += d.members;
      level.quantity += q;
      levels.set(d.maxPrice, level);
    }
  }
  const pool = await db
    .updateTable('pool')
    .set((eb) => ({
      member_count: eb('member_count', '+', members),
      total_quantity: eb('total_quantity', '+', quantity),
      open_members: eb('open_members', '+', openMembers),
      open_quantity: eb('open_quantity', '+', openQuantity),
      updated_at: sql<Date>`now()`,
    }))
    .where('id', '=', poolId)
    .returningAll()
    .executeTakeFirstOrThrow();
  for (const [price, level] of levels) {
    if (level.members === 0 && level.quantity === 0) continue;
    if (level.members > 0) {
      await addToLevel(db, poolId, price, level.members, level.quantity);
    } else {
      // numeric equality: "100" and "100.00" are one level.
      await db
        .updateTable('pool_price_level')
        .set((eb) => ({ members: eb('members', '+', level.members), quantity: eb('quantity', '+', level.quantity) }))
        .where('pool_id', '=', poolId)
        .where('max_price', '=', price)
        .execute();
      await db.deleteFrom('pool_price_level').where('pool_id', '=', poolId).where('max_price', '=', price).where('members', '<=', 0).execute();
    }
  }
  return pool;
}

/**
 * A new member joins: the pool is created if needed and its counters move, in one statement (the pool
 * row is the lock every writer of this pool queues on, so it is taken once and early).
 */
export async function joinPool(
  db: Db,
  productId: string,
  currency: string,
  region: string,
  quantity: number,
  maxPrice: string | null,
): Promise<Pool> {
  const open = maxPrice === null;
  const pool = await db
    .insertInto('pool')
    .values({
      product_id: productId,
      currency,
      region,
      member_count: 1,
      total_quantity: quantity,
      open_members: open ? 1 : 0,
      open_quantity: open ? quantity : 0,
      merged_into: null,
    })
    .onConflict((oc) =>
      oc.columns(['product_id', 'currency', 'region']).doUpdateSet((eb) => ({
        member_count: eb('pool.member_count', '+', eb.ref('excluded.member_count')),
        total_quantity: eb('pool.total_quantity', '+', eb.ref('excluded.total_quantity')),
        open_members: eb('pool.open_members', '+', eb.ref('excluded.open_members')),
        open_quantity: eb('pool.open_quantity', '+', eb.ref('excluded.open_quantity')),
        updated_at: sql<Date>`now()`,
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  if (maxPrice !== null) await addToLevel(db, pool.id, maxPrice, 1, quantity);
  return pool;
}

async function addToLevel(db: Db, poolId: string, price: string, members: number, quantity: number): Promise<void> {
  await db
    .insertInto('pool_price_level')
    .values({ pool_id: poolId, max_price: price, members, quantity })
    .onConflict((oc) =>
      oc.columns(['pool_id', 'max_price']).doUpdateSet((eb) => ({
        members: eb('pool_price_level.members', '+', eb.ref('excluded.members')),
        quantity: eb('pool_price_level.quantity', '+', eb.ref('excluded.quantity')),
      })),
    )
    .execute();
}

/** Recomputes a pool's aggregates from its live intents (after a merge, or to repair). */
export async function rebuildPool(db: Db, poolId: string): Promise<PoolSummary> {
  await db.deleteFrom('pool_price_level').where('pool_id', '=', poolId).execute();
  await sql`
    insert into pool_price_level (pool_id, max_price, members, quantity)
    select pool_id, max_price, count(*), sum(quantity) from intent
    where pool_id = ${poolId} and status = 'live' and max_price is not null
    group by pool_id, max_price
  `.execute(db);
  const pool = await sql<Pool>`
    update pool set
      member_count = s.members, total_quantity = s.quantity,
      open_members = s.open_members, open_quantity = s.open_quantity, updated_at = now()
    from (
      select count(*)::int as members, coalesce(sum(quantity), 0)::int8 as quantity,
        (count(*) filter (where max_price is null))::int as open_members,
        coalesce(sum(quantity) filter (where max_price is null), 0)::int8 as open_quantity
      from intent where pool_id = ${poolId} and status = 'live'
    ) s
    where pool.id = ${poolId}
    returning pool.*
  `.execute(db);
  return toPoolSummary(pool.rows[0]!);
}

export async function priceLevels(db: Db, poolId: string): Promise<PriceLevel[]> {
  // trim_scale: "100.00" arrives as "100", so the pure code has less to normalise.
  const rows = await db
    .selectFrom('pool_price_level')
    .select([sql<string>`trim_scale(max_price)::text`.as('max_price'), 'members', 'quantity'])
    .where('pool_id', '=', poolId)
    .where('members', '>', 0)
    .orderBy('max_price', 'desc')
    .execute();
  return rows.map((r) => ({ price: r.max_price, members: r.members, quantity: r.quantity }));
}

export interface PoolDemand {
  curve: DemandPoint[];
  /** Quartiles of members' max prices, and of units' max prices. */
  quartiles: { members: PriceQuartiles | null; units: PriceQuartiles | null };
  /** Members and units with no max price (counted at every price). */
  open: { members: number; quantity: number };
}

/**
 * The demand curve and quartiles, computed in the database: running sums over the price levels, and only
 * the rows the answer needs (the kept curve points and the quartile rows) leave it. Moving ten thousand
 * levels to JavaScript costs far more than the sums (hundreds of ms on PGlite). The semantics are
 * core/pricing.ts's `poolStatistics` exactly (same points kept, nearest-rank quartiles); a test compares
 * the two on random pools.
 */
export async function poolDemand(db: Db, pool: Pool, maxPoints = 200): Promise<PoolDemand> {
  const open = { members: pool.open_members, quantity: pool.open_quantity };
  const m = Math.max(2, maxPoints);
  const result = await sql<{
    price: string;
    rn: number;
    n: number;
    cum_members: number;
    cum_quantity: number;
    total_members: number;
    total_quantity: number;
    is_point: boolean;
    m1: boolean;
    m2: boolean;
    m3: boolean;
    u1: boolean;
    u2: boolean;
    u3: boolean;
  }>`
    with lv as (
      select max_price, members, quantity,
        row_number() over (order by max_price desc)::int8 as rn,
        count(*) over ()::int8 as n,
        sum(members) over (order by max_price desc)::int8 as cum_members,
        sum(quantity) over (order by max_price desc)::int8 as cum_quantity,
        sum(members) over ()::int8 as total_members,
        sum(quantity) over ()::int8 as total_quantity
      from pool_price_level where pool_id = ${pool.id} and members > 0
    ),
    sums as (
      -- Running sums from the lowest price, derived from those from the highest (one sort, not two).
      select *, total_members - cum_members + members as asc_members,
        total_quantity - cum_quantity + quantity as asc_quantity
      from lv
    ),
    flagged as (
      -- Integer arithmetic only (numeric is slow over ten thousand rows). Kept point i is rank
      -- round(i (n-1) / (m-1)) (rounding half up: (2a + b) div 2b); rank r is kept if one of the two i
      -- around it, floor and ceil of r (m-1) / (n-1), maps back to it. Quartile k/4 of a total t is the
      -- first row whose running sum from the lowest price reaches ceil(k t / 4) = (k t + 3) div 4.
      select *,
        -- case, not or: the division by n - 1 must never run for a pool of one price.
        case when n <= ${m} then true else
          (2 * ((rn - 1) * (${m} - 1) / (n - 1)) * (n - 1) + (${m} - 1)) / (2 * (${m} - 1)) = rn - 1
          or (2 * (((rn - 1) * (${m} - 1) + n - 2) / (n - 1)) * (n - 1) + (${m} - 1)) / (2 * (${m} - 1)) = rn - 1
        end as is_point,
        (asc_members >= greatest(1, (total_members + 3) / 4) and asc_members - members < greatest(1, (total_members + 3) / 4)) as m1,
        (asc_members >= greatest(1, (2 * total_members + 3) / 4) and asc_members - members < greatest(1, (2 * total_members + 3) / 4)) as m2,
        (asc_members >= greatest(1, (3 * total_members + 3) / 4) and asc_members - members < greatest(1, (3 * total_members + 3) / 4)) as m3,
        (asc_quantity >= greatest(1, (total_quantity + 3) / 4) and asc_quantity - quantity < greatest(1, (total_quantity + 3) / 4)) as u1,
        (asc_quantity >= greatest(1, (2 * total_quantity + 3) / 4) and asc_quantity - quantity < greatest(1, (2 * total_quantity + 3) / 4)) as u2,
        (asc_quantity >= greatest(1, (3 * total_quantity + 3) / 4) and asc_quantity - quantity < greatest(1, (3 * total_quantity + 3) / 4)) as u3
      from sums
    )
    select trim_scale(max_price)::text as price, rn, n, cum_members, cum_quantity, total_members, total_quantity,
      is_point, m1, m2, m3, u1, u2, u3
    from flagged
    where is_point or rn = 1 or rn = n or m1 or m2 or m3 or u1 or u2 or u3
    order by rn
  `.execute(db);
  const rows = result.rows;
  const curve: DemandPoint[] = rows
    .filter((r) => r.is_point)
    .map((r) => ({
      price: r.price,
      members: open.members + Number(r.cum_members),
      quantity: open.quantity + Number(r.cum_quantity),
    }));
  const first = rows[0];
  const last = rows[rows.length - 1];
  const pick = (flag: 'm1' | 'm2' | 'm3' | 'u1' | 'u2' | 'u3') => rows.find((r) => r[flag])!.price;
  const quartiles: PoolDemand['quartiles'] =
    first && last
      ? {
          members: { count: Number(first.total_members), min: last.price, q1: pick('m1'), median: pick('m2'), q3: pick('m3'), max: first.price },
          units: { count: Number(first.total_quantity), min: last.price, q1: pick('u1'), median: pick('u2'), q3: pick('u3'), max: first.price },
        }
      : { members: null, units: null };
  return { curve, quartiles, open };
}

/** Follows merges: the live pool an old pool id now stands for. */
export async function livePool(db: Db, poolId: string): Promise<Pool | null> {
  let pool = await db.selectFrom('pool').selectAll().where('id', '=', poolId).executeTakeFirst();
  for (let hops = 0; pool?.merged_into && hops < 10; hops++) {
    pool = await db.selectFrom('pool').selectAll().where('id', '=', pool.merged_into).executeTakeFirst();
  }
  return pool && !pool.merged_into ? pool : null;
}

/** A product's Listing at one retailer with its latest price (the API calls them `competitors`). */
export interface ListingPrice {
  listingId: string;
  retailer: string;
  url: string;
  price: string | null;
  currency: string | null;
  availability: string | null;
  seenAt: string;
}

/** The product's listings with their latest prices, cheapest first (listings without a price last). */
export async function listingPrices(db: Db, productId: string): Promise<ListingPrice[]> {
  const rows = await db
    .selectFrom('listing')
    .selectAll()
    .where('product_id', '=', productId)
    .orderBy(sql`latest_price is null`)
    .orderBy('latest_price')
    .orderBy('retailer')
    .limit(100)
    .execute();
  return rows.map((l) => ({
    listingId: l.id,
    retailer: l.retailer,
    url: l.url,
    price: l.latest_price,
    currency: l.currency,
    availability: l.availability,
    seenAt: l.last_seen_at.toISOString(),
  }));
}

/** The live pools of a product, largest first. */
export async function productPools(db: Db, productId: string): Promise<Pool[]> {
  return db
    .selectFrom('pool')
    .selectAll()
    .where('product_id', '=', productId)
    .where('merged_into', 'is', null)
    .orderBy('total_quantity', 'desc')
    .limit(50)
    .execute();
}

async function livePoolOrRefuse(db: Db, poolId: string): Promise<Pool> {
  const pool = await livePool(db, poolId);
  if (!pool) throw refuse('NOT_FOUND', 'noSuchPool');
  return pool;
}

/** A pool in full: members, quantity, demand curve, price quartiles, its product and the product's market prices. */
export async function poolDetail(db: Db, poolId: string, maxPoints: number) {
  const pool = await livePoolOrRefuse(db, poolId);
  const [product, demand, competitors] = await Promise.all([
    db
      .selectFrom('product')
      .select(['id', 'name', 'brand', 'gtin', 'mpn', 'image'])
      .where('id', '=', pool.product_id)
      .executeTakeFirstOrThrow() satisfies Promise<ProductView>,
    poolDemand(db, pool, maxPoints),
    listingPrices(db, pool.product_id),
  ]);
  return { ...toPoolSummary(pool), ...demand, product, competitors };
}

/** Only the demand curve and quartiles (what the dashboard's chart polls). */
export async function poolDemandSummary(db: Db, poolId: string, maxPoints: number): Promise<PoolSummary & PoolDemand> {
  const pool = await livePoolOrRefuse(db, poolId);
  return { ...toPoolSummary(pool), ...(await poolDemand(db, pool, maxPoints)) };
}

export interface RankedPoolsFilter {
  currency?: string | undefined;
  region?: string | undefined;
  /** Exact, ignoring case. */
  brand?: string | undefined;
  /** A part of the product's name, ignoring case. */
  search?: string | undefined;
  minMembers: number;
  limit: number;
  offset: number;
}

/** Pools ranked by demand (units wanted, then members), for the organisers' dashboard. */
export async function rankedPools(db: Db, filter: RankedPoolsFilter) {
  let query = db
    .selectFrom('pool')
    .innerJoin('product', 'product.id', 'pool.product_id')
    .selectAll('pool')
    .select(['product.name as product_name', 'product.brand as product_brand', 'product.gtin as product_gtin', 'product.image as product_image'])
    .where('pool.merged_into', 'is', null)
    .where('pool.member_count', '>=', filter.minMembers)
    .orderBy('pool.total_quantity', 'desc')
    .orderBy('pool.member_count', 'desc')
    .orderBy('pool.id')
    .limit(filter.limit)
    .offset(filter.offset);
  if (filter.currency) query = query.where('pool.currency', '=', filter.currency);
  if (filter.region) query = query.where('pool.region', '=', filter.region);
  if (filter.brand) query = query.where(sql<boolean>`lower(product.brand) = lower(${filter.brand})`);
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where('product.name', 'ilike', pattern);
  }
  const rows = await query.execute();
  return rows.map((r) => ({
    ...toPoolSummary(r),
    product: { id: r.product_id, name: r.product_name, brand: r.product_brand, gtin: r.product_gtin, image: r.product_image },
  }));
}
