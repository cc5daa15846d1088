import { refusalOf, refusalText, type Refusal } from '../core/i18n/refusals.ts';
import type { ProductSnapshot } from '../core/snapshot.ts';
import type { ExtensionDB } from './db.ts';
import type { IntentRow, OutboxKind, OutboxOp } from './records.ts';
import { ProtocolError } from './send-message.ts';
import { errorMessage, isPermanent, type ServerClient, type TrpcClient } from './server-client.ts';
import { readSettings, regionOf } from './settings.ts';

/**
 * The outbox: the shopper's intents, written locally first and delivered to the server exactly once.
 *
 * Offline first: joining, editing and withdrawing write the intent and an outbox operation in one
 * transaction, so they succeed with the server down; `flush()` delivers the outbox in order per intent,
 * retrying with exponential backoff. Delivery is idempotent (intents carry a client-generated id, updates
 * send the current values), so a retry after a lost answer never makes a second intent.
 */

/** Delay before attempt `attempts + 1`: 2 s, 4 s, 8 s... capped at 10 minutes, with ±20 % jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(2_000 * 2 ** Math.max(0, attempts - 1), 10 * 60_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface JoinInput {
  snapshot: ProductSnapshot;
  quantity: number;
  maxPrice: string | null;
  currency: string;
}

export interface OutboxDeps {
  db: ExtensionDB;
  /** Delivers with the shopper's identity (created on the first delivery). */
  server: Pick<ServerClient, 'trpc'>;
  languageTag: () => string;
  now?: () => number;
  /** Asks to be woken at `when` (epoch ms) to retry: an alarm in the background. */
  scheduleRetry?: (when: number) => void;
}

interface ServerIntentAnswer {
  intent: { productId: string; poolId: string };
  pool: { memberCount: number; totalQuantity: number };
}

export class Outbox {
  readonly #deps: OutboxDeps;
  readonly #db: ExtensionDB;
  readonly #now: () => number;
  #flushing: Promise<void> | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(deps: OutboxDeps) {
    this.#deps = deps;
    this.#db = deps.db;
    this.#now = deps.now ?? Date.now;
  }

  // ---- the shopper's actions (local first; delivery is attempted at once) ----

  /** "I want this": the intent and its register operation are written in one transaction. */
  async join(input: JoinInput): Promise<IntentRow> {
    const settings = await readSettings(this.#db);
    const now = this.#now();
    const existing = await this.#db.intents
      .where('pageUrl')
      .equals(input.snapshot.url)
      .filter((row) => row.status === 'live')
      .first();
    if (existing) return existing;
    const intent: IntentRow = {
      id: crypto.randomUUID(),
      pageUrl: input.snapshot.url,
      snapshot: input.snapshot,
      productName: input.snapshot.name,
      retailer: input.snapshot.retailer,
      productId: null,
      poolId: null,
      quantity: input.quantity,
      maxPrice: input.maxPrice,
      currency: input.currency,
      region: regionOf(settings, this.#deps.languageTag()),
      status: 'live',
      sync: 'pending',
      lastError: null,
      lastRefusal: null,
      memberCount: null,
      totalQuantity: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.#db.transaction('rw', this.#db.intents, this.#db.outbox, async () => {
      await this.#db.intents.add(intent);
      await this.#enqueue(intent.id, 'register');
    });
    void this.flush();
    return intent;
  }

  /** Changes quantity or max price locally, then delivers the new values (the latest values win). */
  async updateIntent(id: string, changes: { quantity?: number; maxPrice?: string | null }): Promise<void> {
    await this.#db.transaction('rw', this.#db.intents, this.#db.outbox, async () => {
      const intent = await this.#db.intents.get(id);
      if (!intent || intent.status !== 'live') {
        const refusal: Refusal = { key: 'intentWithdrawn', params: {} };
        throw new ProtocolError(refusalText(refusal, 'en'), refusal);
      }
      await this.#db.intents.update(id, { ...changes, sync: 'pending', lastError: null, lastRefusal: null, updatedAt: this.#now() });
      await this.#enqueue(id, 'update');
    });
    void this.flush();
  }

  async withdraw(id: string): Promise<void> {
    await this.#db.transaction('rw', this.#db.intents, this.#db.outbox, async () => {
      const intent = await this.#db.intents.get(id);
      if (!intent || intent.status !== 'live') return;
      // Never delivered nor attempted: the server has never heard of it, so nothing needs to travel.
      const ops = await this.#db.outbox.where('intentId').equals(id).toArray();
      const unsent = ops.length > 0 && ops[0]!.kind === 'register' && ops[0]!.attempts === 0 && intent.productId === null;
      if (unsent) {
        await this.#db.outbox.where('intentId').equals(id).delete();
        await this.#db.intents.update(id, { status: 'withdrawn', sync: 'sent', updatedAt: this.#now() });
        return;
      }
      await this.#db.intents.update(id, { status: 'withdrawn', sync: 'pending', updatedAt: this.#now() });
      await this.#enqueue(id, 'withdraw');
    });
    void this.flush();
  }

  /** Adds an operation unless an equivalent one still waits (two edits before delivery travel as one). */
  async #enqueue(intentId: string, kind: OutboxKind): Promise<void> {
    const queued = await this.#db.outbox.where('intentId').equals(intentId).toArray();
    if (kind === 'update' && queued.some((op) => op.kind === 'update' && op.attempts === 0)) return;
    await this.#db.outbox.add({ intentId, kind, attempts: 0, nextAttemptAt: 0, lastError: null, createdAt: this.#now() });
  }

  // ---- delivery ----

  /** Delivers what is due. One delivery at a time: concurrent callers share the running one. */
  flush(): Promise<void> {
    this.#flushing ??= this.#deliver().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /** Makes every waiting operation due now (the shopper opened the popup, or asked to sync), then delivers. */
  async retryNow(): Promise<void> {
    await this.#db.outbox.toCollection().modify({ nextAttemptAt: 0 });
    await this.flush();
  }

  async #deliver(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const ops = await this.#db.outbox.orderBy('seq').toArray();
      if (ops.length === 0) return;
      const now = this.#now();
      // The first operation of each intent, when due: different intents travel together (one batch).
      const heads = new Map<string, OutboxOp>();
      for (const op of ops) if (!heads.has(op.intentId)) heads.set(op.intentId, op);
      const due = [...heads.values()].filter((op) => op.nextAttemptAt <= now);
      if (due.length === 0) {
        this.#wakeAt(Math.min(...[...heads.values()].map((op) => op.nextAttemptAt)));
        return;
      }
      let client: TrpcClient;
      try {
        client = await this.#deps.server.trpc();
      } catch (error) {
        await Promise.all(due.map((op) => this.#failed(op, error)));
        continue;
      }
      const results = await Promise.allSettled(due.map((op) => this.#send(client, op)));
      let transient = false;
      await Promise.all(
        results.map((result, i) => {
          const op = due[i]!;
          if (result.status === 'fulfilled') return this.#delivered(op, result.value);
          if (!isPermanent(result.reason)) transient = true;
          return this.#failed(op, result.reason);
        }),
      );
      if (transient) {
        const next = await this.#db.outbox.orderBy('nextAttemptAt').first();
        if (next) this.#wakeAt(next.nextAttemptAt);
        return;
      }
    }
  }

  async #send(client: TrpcClient, op: OutboxOp): Promise<ServerIntentAnswer> {
    const intent = await this.#db.intents.get(op.intentId);
    if (!intent) throw new Error('intent deleted locally');
    switch (op.kind) {
      case 'register':
        return client.intents.register.mutate({
          id: intent.id,
          snapshot: intent.snapshot,
          quantity: intent.quantity,
          maxPrice: intent.maxPrice,
          currency: intent.currency,
          region: intent.region,
        });
      case 'update':
        return client.intents.update.mutate({ id: intent.id, quantity: intent.quantity, maxPrice: intent.maxPrice });
      case 'withdraw':
        return client.intents.withdraw.mutate({ id: intent.id });
    }
  }

  async #delivered(op: OutboxOp, answer: ServerIntentAnswer): Promise<void> {
    await this.#db.transaction('rw', this.#db.intents, this.#db.outbox, async () => {
      await this.#db.outbox.delete(op.seq!);
      const more = await this.#db.outbox.where('intentId').equals(op.intentId).count();
      const intent = await this.#db.intents.get(op.intentId);
      if (!intent) return;
      await this.#db.intents.update(op.intentId, {
        productId: answer.intent.productId,
        poolId: answer.intent.poolId,
        memberCount: answer.pool.memberCount,
        totalQuantity: answer.pool.totalQuantity,
        sync: more > 0 ? 'pending' : intent.sync === 'failed' ? 'failed' : 'sent',
        lastError: more > 0 ? intent.lastError : null,
        lastRefusal: more > 0 ? (intent.lastRefusal ?? null) : null,
      });
    });
  }

  async #failed(op: OutboxOp, error: unknown): Promise<void> {
    const message = errorMessage(error);
    const refusal = refusalOf(error);
    await this.#db.transaction('rw', this.#db.intents, this.#db.outbox, async () => {
      if (isPermanent(error)) {
        // The server refused this call for good: drop it (and, for a refused join, what depended on it).
        if (op.kind === 'register') await this.#db.outbox.where('intentId').equals(op.intentId).delete();
        else await this.#db.outbox.delete(op.seq!);
        await this.#db.intents.update(op.intentId, { sync: 'failed', lastError: message, lastRefusal: refusal });
        return;
      }
      const attempts = op.attempts + 1;
      await this.#db.outbox.update(op.seq!, { attempts, lastError: message, nextAttemptAt: this.#now() + backoffMs(attempts) });
      await this.#db.intents.update(op.intentId, { sync: 'pending', lastError: message, lastRefusal: refusal });
    });
  }

  /** Retries at `when`: a timer while the service worker lives, and the caller's alarm if it is stopped. */
  #wakeAt(when: number): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.flush(), Math.max(0, when - this.#now()));
    this.#deps.scheduleRetry?.(when);
  }
}
