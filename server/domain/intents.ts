import { sql, type Kysely, type Transaction } from 'kysely';
import { compareDecimal } from '../../core/pricing.ts';
import type { ProductSnapshot } from '../../core/snapshot.ts';
import type { Database, Intent } from '../db/schema.ts';
import type { EventBus } from '../events/bus.ts';
import { applyToPool, joinPool, toPoolSummary, type PoolSummary } from './pools.ts';
import { JoinBatcher } from './join-batch.ts';
import { liveProduct, recordObservation, resolveProduct } from './products.ts';
import { refuse } from '../trpc/refusal.ts';

/**
 * Intents: a shopper's "I want this". Registration is idempotent by the client's id (the extension's
 * outbox retries until it hears back), at most one live intent per shopper and product (a partial unique
 * index), and every change updates the pool's aggregates and publishes a pool event in one transaction.
 */

type Db = Kysely<Database> | Transaction<Database>;

export interface IntentView {
  id: string;
  productId: string;
  poolId: string;
  quantity: number;
  maxPrice: string | null;
  currency: string;
  region: string;
  status: Intent['status'];
  createdAt: string;
  updatedAt: string;
}

export function toIntentView(i: Intent): IntentView {
  return {
    id: i.id,
    productId: i.product_id,
    poolId: i.pool_id,
    quantity: i.quantity,
    maxPrice: i.max_price,
    currency: i.currency.trim(),
    region: i.region,
    status: i.status,
    createdAt: i.created_at.toISOString(),
    updatedAt: i.updated_at.toISOString(),
  };
}

export interface RegisterInput {
  id: string;
  quantity: number;
  maxPrice: string | null;
  currency: string;
  region: string;
  /** The page the shopper joined from (its price is recorded), or a product the server already knows. */
  snapshot?: ProductSnapshot | undefined;
  productId?: string | undefined;
}

export interface RegisterResult {
  intent: IntentView;
  pool: PoolSummary;
  /** False when this was a retry of an intent already registered (nothing changed). */
  created: boolean;
}

const UNIQUE_VIOLATION = '23505';
function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | null;
  if (e?.code !== UNIQUE_VIOLATION) return false;
  return !constraint || e.constraint === constraint || (e.message ?? '').includes(constraint);
}

async function existingIntent(db: Db, shopperId: string, id: string): Promise<RegisterResult | null> {
  const intent = await db.selectFrom('intent').selectAll().where('id', '=', id).executeTakeFirst();
  if (!intent) return null;
  if (intent.shopper_id !== shopperId) {
    throw refuse('CONFLICT', 'intentIdTaken');
  }
  const pool = await db.selectFrom('pool').selectAll().where('id', '=', intent.pool_id).executeTakeFirstOrThrow();
  return { intent: toIntentView(intent), pool: toPoolSummary(pool), created: false };
}

/** One batcher per database (server/domain/join-batch.ts): joins to existing pools are written together. */
const batchers = new WeakMap<Kysely<Database>, JoinBatcher>();

/**
 * The common case: joining the existing pool of a known product, in one statement shared with the joins
 * arriving at the same time. Null when the pool does not exist yet (or the product was merged): the general
 * path handles that.
 */
async function joinExistingPool(
  db: Kysely<Database>,
  shopperId: string,
  input: RegisterInput & { productId: string },
): Promise<RegisterResult | 'retry' | null> {
  let batcher = batchers.get(db);
  if (!batcher) batchers.set(db, (batcher = new JoinBatcher(db)));
  const outcome = await batcher.join({
    id: input.id,
    shopperId,
    productId: input.productId,
    quantity: input.quantity,
    maxPrice: input.maxPrice,
    currency: input.currency,
    region: input.region,
  });
  if (outcome.kind === 'no-pool') return null;
  if (outcome.kind === 'retry') return 'retry';
  const at = outcome.createdAt.toISOString();
  return {
    intent: {
      id: input.id,
      productId: input.productId,
      poolId: outcome.poolId,
      quantity: input.quantity,
      maxPrice: input.maxPrice,
      currency: input.currency,
      region: input.region,
      status: 'live',
      createdAt: at,
      updatedAt: at,
    },
    pool: {
      id: outcome.poolId,
      productId: input.productId,
      currency: input.currency,
      region: input.region,
      memberCount: outcome.memberCount,
      totalQuantity: outcome.totalQuantity,
      updatedAt: outcome.poolUpdatedAt.toISOString(),
    },
    created: true,
  };
}

export async function registerIntent(
  db: Kysely<Database>,
  bus: EventBus,
  shopperId: string,
  input: RegisterInput,
): Promise<RegisterResult> {
  try {
    if (input.productId && !input.snapshot) {
      const fast = await joinExistingPool(db, shopperId, { ...input, productId: input.productId });
      if (fast === 'retry') throw new RetryAsExisting();
      if (fast) {
        bus.announce();
        return fast;
      }
    }
    // A retry of a registration that already succeeded conflicts on the id below and rolls back: the
    // answer is then the intent registered the first time (no read up front: retries are rare).
    return await bus.transaction(async (trx) => {
      let productId: string;
      let listingId: string | null = null;
      if (input.snapshot) {
        const resolved = await resolveProduct(trx, bus, input.snapshot);
        productId = resolved.product.id;
        listingId = resolved.listing.id;
        await recordObservation(trx, resolved.listing, input.snapshot, 'join');
      } else if (input.productId) {
        const product = await liveProduct(trx, input.productId);
        if (!product) throw refuse('NOT_FOUND', 'noSuchProduct');
        productId = product.id;
      } else {
        throw refuse('BAD_REQUEST', 'productOrSnapshot');
      }
      const pool = await joinPool(trx, productId, input.currency, input.region, input.quantity, input.maxPrice);
      const intent = await trx
        .insertInto('intent')
        .values({
          id: input.id,
          shopper_id: shopperId,
          product_id: productId,
          pool_id: pool.id,
          listing_id: listingId,
          quantity: input.quantity,
          max_price: input.maxPrice,
          currency: input.currency,
          region: input.region,
          withdrawn_at: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!intent) {
        // The same id committed by a concurrent retry meanwhile: roll this one back and answer with that.
        throw new RetryAsExisting();
      }
      const summary = toPoolSummary(pool);
      await bus.publish(trx, `pool:${pool.id}`, 'pool.changed', { ...summary, reason: 'join' });
      return { intent: toIntentView(intent), pool: summary, created: true };
    });
  } catch (error) {
    if (error instanceof RetryAsExisting) {
      const existing = await existingIntent(db, shopperId, input.id);
      if (existing) return existing;
    }
    if (isUniqueViolation(error, 'intent_pkey')) {
      const existing = await existingIntent(db, shopperId, input.id);
      if (existing) return existing;
    }
    if (isUniqueViolation(error, 'intent_one_live')) {
      // Two attempts with the same id at once: the index of live intents may see the twin before the id's
      // own index does. Then this is a retry, not a second intent (the twin has committed by now).
      const existing = await existingIntent(db, shopperId, input.id);
      if (existing) return existing;
      throw refuse('CONFLICT', 'alreadyWanted', {}, error);
    }
    throw error;
  }
}

class RetryAsExisting extends Error {}

async function lockOwnIntent(trx: Transaction<Database>, shopperId: string, id: string): Promise<Intent> {
  const intent = await trx.selectFrom('intent').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!intent || intent.shopper_id !== shopperId) {
    throw refuse('NOT_FOUND', 'noSuchIntent');
  }
  return intent;
}

export interface UpdateInput {
  id: string;
  quantity?: number | undefined;
  /** null removes the max price; undefined leaves it. */
  maxPrice?: string | null | undefined;
}

export async function updateIntent(db: Kysely<Database>, bus: EventBus, shopperId: string, input: UpdateInput): Promise<RegisterResult> {
  return bus.transaction(async (trx) => {
    // Lock order: update and withdraw lock the intent row, then the pool row, then price levels;
    // registration locks the pool row and inserts an intent row nobody else can hold: no cycle.
    const current = await lockOwnIntent(trx, shopperId, input.id);
    if (current.status !== 'live') {
      throw refuse('PRECONDITION_FAILED', 'intentWithdrawn');
    }
    const quantity = input.quantity ?? current.quantity;
    const maxPrice = input.maxPrice === undefined ? current.max_price : input.maxPrice;
    const unchanged = quantity === current.quantity && sameDecimal(maxPrice, current.max_price);
    if (unchanged) {
      const pool = await trx.selectFrom('pool').selectAll().where('id', '=', current.pool_id).executeTakeFirstOrThrow();
      return { intent: toIntentView(current), pool: toPoolSummary(pool), created: false };
    }
    const pool = await applyToPool(trx, current.pool_id, [
      { members: -1, quantity: current.quantity, maxPrice: current.max_price },
      { members: 1, quantity, maxPrice },
    ]);
    const intent = await trx
      .updateTable('intent')
      .set({ quantity, max_price: maxPrice, updated_at: sql<Date>`now()` })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const summary = toPoolSummary(pool);
    await bus.publish(trx, `pool:${pool.id}`, 'pool.changed', { ...summary, reason: 'update' });
    return { intent: toIntentView(intent), pool: summary, created: false };
  });
}

function sameDecimal(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return compareDecimal(a, b) === 0;
}

/** Withdraws a live intent; withdrawing again answers the same (idempotent). */
export async function withdrawIntent(db: Kysely<Database>, bus: EventBus, shopperId: string, id: string): Promise<RegisterResult> {
  return bus.transaction(async (trx) => {
    const current = await lockOwnIntent(trx, shopperId, id);
    if (current.status !== 'live') {
      const pool = await trx.selectFrom('pool').selectAll().where('id', '=', current.pool_id).executeTakeFirstOrThrow();
      return { intent: toIntentView(current), pool: toPoolSummary(pool), created: false };
    }
    const pool = await applyToPool(trx, current.pool_id, [{ members: -1, quantity: current.quantity, maxPrice: current.max_price }]);
    const intent = await trx
      .updateTable('intent')
      .set({ status: 'withdrawn', withdrawn_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const summary = toPoolSummary(pool);
    await bus.publish(trx, `pool:${pool.id}`, 'pool.changed', { ...summary, reason: 'withdraw' });
    return { intent: toIntentView(intent), pool: summary, created: false };
  });
}

/** The shopper's live intent on a product, if any (at most one: a partial unique index). */
export async function liveIntentOn(db: Db, shopperId: string, productId: string): Promise<Intent | undefined> {
  return db
    .selectFrom('intent')
    .selectAll()
    .where('shopper_id', '=', shopperId)
    .where('product_id', '=', productId)
    .where('status', '=', 'live')
    .executeTakeFirst();
}

export async function shopperIntents(db: Db, shopperId: string, includeEnded: boolean, limit: number): Promise<IntentView[]> {
  let query = db.selectFrom('intent').selectAll().where('shopper_id', '=', shopperId).orderBy('updated_at', 'desc').limit(limit);
  if (!includeEnded) query = query.where('status', '=', 'live');
  return (await query.execute()).map(toIntentView);
}
