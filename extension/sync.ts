import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
  type TRPCClient,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import type { inferRouterInputs } from '@trpc/server';
import { refusalOf, refusalText, type Refusal } from '../core/i18n/refusals.ts';
import { ShopperDeal, ShopperNotice } from '../core/shopper-deal.ts';
import type { ProductSnapshot } from '../core/snapshot.ts';
import { ProtocolError } from './send-message.ts';
import type { AppRouter } from '../server/routers/_app.ts';
import type { ExtensionDB } from './db.ts';
import type { DealRow, IntentRow, LookupRow, OutboxKind, OutboxOp } from './records.ts';
import { readSettings, regionOf, writeSettings, type ShopperIdentity } from './settings.ts';

/**
 * The extension's link with the server: a tRPC client (batched HTTP for calls, SSE for the shopper's live
 * events) and the outbox that delivers the shopper's intents.
 *
 * Offline first: joining, editing and withdrawing write the local database and an outbox operation in one
 * transaction, so they succeed with the server down; `flush()` delivers the outbox in order per intent,
 * retrying with exponential backoff. Delivery is idempotent (intents carry a client-generated id, updates
 * send the current values), so a retry after a lost answer never makes a second intent.
 */

export type ServerClient = TRPCClient<AppRouter>;
/** Confirm or decline, as `commitments.respond` takes it. */
export type RespondInput = inferRouterInputs<AppRouter>['commitments']['respond'];

/** Listening again after the server ended the subscription: 2 s, then doubling, at most 5 minutes. */
const LISTEN_RETRY_FIRST_MS = 2_000;
const LISTEN_RETRY_MAX_MS = 5 * 60_000;

export function createServerClient(serverUrl: string, token: string | null, fetchImpl?: typeof fetch): ServerClient {
  const url = `${serverUrl}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          // MV3 service workers have no EventSource; this one is built on fetch. Browsers' EventSource cannot
          // send headers, so the token travels in tRPC's connection params.
          EventSource: EventSource as unknown as typeof globalThis.EventSource,
          connectionParams: () => (token ? { token } : {}),
        }),
        false: httpBatchLink({
          url,
          // Snapshots are large: queries go as POST, so they stay out of URLs (and of any log of them).
          methodOverride: 'POST',
          headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
          ...(fetchImpl && { fetch: fetchImpl }),
        }),
      }),
    ],
  });
}

/** A refusal by the server (bad input, conflict, gone): retrying the same call cannot succeed. */
export function isPermanent(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

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

export interface SyncDeps {
  db: ExtensionDB;
  languageTag: () => string;
  now?: () => number;
  fetch?: typeof fetch;
  /** Asks to be woken at `when` (epoch ms) to retry: an alarm in the background. */
  scheduleRetry?: (when: number) => void;
  /** The deals changed (after a refresh or an event): notifications and badge follow. */
  onDeals?: (before: Map<string, DealRow>, after: DealRow[]) => Promise<void>;
  onEvent?: (event: ShopperNotice) => Promise<void>;
}

/** A deal from the server, checked against the contract (core/shopper-deal.ts) as it enters the extension. */
export function toDealRow(value: unknown, fetchedAt: number): DealRow {
  const { windowOpen: _answeredWhileOpen, ...deal } = ShopperDeal.parse(value);
  return { ...deal, fetchedAt };
}

export class Sync {
  private readonly db: ExtensionDB;
  private readonly now: () => number;
  private flushing: Promise<void> | null = null;
  private creatingIdentity: Promise<ShopperIdentity> | null = null;
  private client: { key: string; client: ServerClient } | null = null;
  private subscription: { key: string; unsubscribe(): void } | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private listenTimer: ReturnType<typeof setTimeout> | null = null;
  /** Subscriptions that ended in a row without starting again (the delay before the next doubles). */
  private listenFailures = 0;

  constructor(private readonly deps: SyncDeps) {
    this.db = deps.db;
    this.now = deps.now ?? Date.now;
  }

  // ---- the shopper's actions (local first) ----

  /**
   * "I want this": the intent and its register operation are written in one transaction, so joining works
   * offline; delivery is attempted at once and retried until the server answers.
   */
  async join(input: JoinInput): Promise<IntentRow> {
    const settings = await readSettings(this.db);
    const now = this.now();
    const existing = await this.db.intents
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
      region: regionOf(settings, this.deps.languageTag()),
      status: 'live',
      sync: 'pending',
      lastError: null,
      lastRefusal: null,
      memberCount: null,
      totalQuantity: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.db.transaction('rw', this.db.intents, this.db.outbox, async () => {
      await this.db.intents.add(intent);
      await this.enqueue(intent.id, 'register');
    });
    void this.flush();
    return intent;
  }

  /** Changes quantity or max price locally, then delivers the new values (the latest values win). */
  async updateIntent(id: string, changes: { quantity?: number; maxPrice?: string | null }): Promise<void> {
    await this.db.transaction('rw', this.db.intents, this.db.outbox, async () => {
      const intent = await this.db.intents.get(id);
      if (!intent || intent.status !== 'live') {
        const refusal: Refusal = { key: 'intentWithdrawn', params: {} };
        throw new ProtocolError(refusalText(refusal, 'en'), refusal);
      }
      await this.db.intents.update(id, { ...changes, sync: 'pending', lastError: null, lastRefusal: null, updatedAt: this.now() });
      await this.enqueue(id, 'update');
    });
    void this.flush();
  }

  async withdraw(id: string): Promise<void> {
    await this.db.transaction('rw', this.db.intents, this.db.outbox, async () => {
      const intent = await this.db.intents.get(id);
      if (!intent || intent.status !== 'live') return;
      // Never delivered nor attempted: the server has never heard of it, so nothing needs to travel.
      const ops = await this.db.outbox.where('intentId').equals(id).toArray();
      const unsent = ops.length > 0 && ops[0]!.kind === 'register' && ops[0]!.attempts === 0 && intent.productId === null;
      if (unsent) {
        await this.db.outbox.where('intentId').equals(id).delete();
        await this.db.intents.update(id, { status: 'withdrawn', sync: 'sent', updatedAt: this.now() });
        return;
      }
      await this.db.intents.update(id, { status: 'withdrawn', sync: 'pending', updatedAt: this.now() });
      await this.enqueue(id, 'withdraw');
    });
    void this.flush();
  }

  /** Adds an operation unless an equivalent one still waits (two edits before delivery travel as one). */
  private async enqueue(intentId: string, kind: OutboxKind): Promise<void> {
    const queued = await this.db.outbox.where('intentId').equals(intentId).toArray();
    if (kind === 'update' && queued.some((op) => op.kind === 'update' && op.attempts === 0)) return;
    await this.db.outbox.add({ intentId, kind, attempts: 0, nextAttemptAt: 0, lastError: null, createdAt: this.now() });
  }

  // ---- delivery ----

  /** Delivers what the outbox holds. One delivery at a time: concurrent callers share the running one. */
  flush(): Promise<void> {
    this.flushing ??= this.deliver().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async deliver(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const ops = await this.db.outbox.orderBy('seq').toArray();
      if (ops.length === 0) return;
      const now = this.now();
      // The first operation of each intent, when due: different intents travel together (one batch).
      const heads = new Map<string, OutboxOp>();
      for (const op of ops) if (!heads.has(op.intentId)) heads.set(op.intentId, op);
      const due = [...heads.values()].filter((op) => op.nextAttemptAt <= now);
      if (due.length === 0) {
        this.wakeAt(Math.min(...[...heads.values()].map((op) => op.nextAttemptAt)));
        return;
      }
      let client: ServerClient;
      try {
        client = await this.authedClient();
      } catch (error) {
        await Promise.all(due.map((op) => this.failed(op, error)));
        continue;
      }
      const results = await Promise.allSettled(due.map((op) => this.send(client, op)));
      let transient = false;
      await Promise.all(
        results.map((result, i) => {
          const op = due[i]!;
          if (result.status === 'fulfilled') return this.delivered(op, result.value);
          if (!isPermanent(result.reason)) transient = true;
          return this.failed(op, result.reason);
        }),
      );
      if (transient) {
        const next = await this.db.outbox.orderBy('nextAttemptAt').first();
        if (next) this.wakeAt(next.nextAttemptAt);
        return;
      }
    }
  }

  private async send(client: ServerClient, op: OutboxOp): Promise<ServerIntentAnswer> {
    const intent = await this.db.intents.get(op.intentId);
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

  private async delivered(op: OutboxOp, answer: ServerIntentAnswer): Promise<void> {
    await this.db.transaction('rw', this.db.intents, this.db.outbox, async () => {
      await this.db.outbox.delete(op.seq!);
      const more = await this.db.outbox.where('intentId').equals(op.intentId).count();
      const intent = await this.db.intents.get(op.intentId);
      if (!intent) return;
      await this.db.intents.update(op.intentId, {
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

  private async failed(op: OutboxOp, error: unknown): Promise<void> {
    const message = errorMessage(error);
    const refusal = refusalOf(error);
    await this.db.transaction('rw', this.db.intents, this.db.outbox, async () => {
      if (isPermanent(error)) {
        // The server refused this call for good: drop it (and, for a refused join, what depended on it).
        if (op.kind === 'register') await this.db.outbox.where('intentId').equals(op.intentId).delete();
        else await this.db.outbox.delete(op.seq!);
        await this.db.intents.update(op.intentId, { sync: 'failed', lastError: message, lastRefusal: refusal });
        return;
      }
      const attempts = op.attempts + 1;
      await this.db.outbox.update(op.seq!, { attempts, lastError: message, nextAttemptAt: this.now() + backoffMs(attempts) });
      await this.db.intents.update(op.intentId, { sync: 'pending', lastError: message, lastRefusal: refusal });
    });
  }

  /** Retries at `when`: a timer while the service worker lives, and the caller's alarm if it is stopped. */
  private wakeAt(when: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.flush(), Math.max(0, when - this.now()));
    this.deps.scheduleRetry?.(when);
  }

  /** Makes every waiting operation due now (the shopper opened the popup, or the network came back). */
  async retryNow(): Promise<void> {
    await this.db.outbox.toCollection().modify({ nextAttemptAt: 0 });
    await this.flush();
  }

  // ---- identity and client ----

  /**
   * The shopper's identity, created on the first call that needs one (a join, the popup on a product page):
   * a shopper who never acts never contacts the server. Recreated if the server address changes.
   */
  async identity(): Promise<ShopperIdentity> {
    const settings = await readSettings(this.db);
    if (settings.identity && settings.identity.serverUrl === settings.serverUrl) return settings.identity;
    this.creatingIdentity ??= (async () => {
      try {
        const anonymous = createServerClient(settings.serverUrl, null, this.deps.fetch);
        const created = await anonymous.identity.createShopper.mutate();
        const identity: ShopperIdentity = { ...created, serverUrl: settings.serverUrl, createdAt: this.now() };
        await writeSettings(this.db, { identity, lastEventId: null, interestsSynced: settings.interests.length === 0 });
        return identity;
      } finally {
        this.creatingIdentity = null;
      }
    })();
    return this.creatingIdentity;
  }

  /** Whether the shopper has an identity already (then the background may refresh and listen). */
  async hasIdentity(): Promise<boolean> {
    const settings = await readSettings(this.db);
    return settings.identity !== null && settings.identity.serverUrl === settings.serverUrl;
  }

  async authedClient(): Promise<ServerClient> {
    const identity = await this.identity();
    const key = `${identity.serverUrl} ${identity.token}`;
    if (this.client?.key !== key) this.client = { key, client: createServerClient(identity.serverUrl, identity.token, this.deps.fetch) };
    return this.client.client;
  }

  // ---- reading from the server ----

  /** The popup asked about this page: the server's product, pool and prices, kept for the next opening. */
  async lookup(snapshot: ProductSnapshot): Promise<LookupRow> {
    const settings = await readSettings(this.db);
    const client = await this.authedClient();
    const result = await client.products.lookup.query({
      snapshot,
      region: regionOf(settings, this.deps.languageTag()),
      sharePrice: settings.sharePrices,
    });
    const row: LookupRow = { pageUrl: snapshot.url, productId: result.product?.id ?? null, fetchedAt: this.now(), result };
    await this.db.lookups.put(row);
    const mine = result.myIntent;
    if (mine && result.pool) {
      await this.db.intents.where('id').equals(mine.id).modify((intent) => {
        intent.memberCount = result.pool!.memberCount;
        intent.totalQuantity = result.pool!.totalQuantity;
      });
    }
    return row;
  }

  /** The prices the shopper sees, sent only when they opted in (settings.sharePrices). */
  async sharePrice(snapshot: ProductSnapshot): Promise<void> {
    const settings = await readSettings(this.db);
    if (!settings.sharePrices || snapshot.price === null || snapshot.currency === null) return;
    const client = await this.authedClient();
    await client.products.sharePrice.mutate({ snapshot });
  }

  /** Refreshes intents and deals from the server (the schedule, an event, the popup opening). */
  async refresh(): Promise<void> {
    if (!(await this.hasIdentity())) return;
    await this.flush();
    const client = await this.authedClient();
    const [intents, deals] = await Promise.all([
      client.intents.mine.query({ includeEnded: true, limit: 200 }),
      client.deals.mine.query({ limit: 100 }),
    ]);
    await this.db.transaction('rw', this.db.intents, async () => {
      for (const remote of intents) {
        const local = await this.db.intents.get(remote.id);
        if (!local || local.sync === 'pending') continue;
        await this.db.intents.update(remote.id, {
          status: remote.status === 'live' ? 'live' : 'withdrawn',
          quantity: remote.quantity,
          maxPrice: remote.maxPrice,
          productId: remote.productId,
          poolId: remote.poolId,
        });
      }
    });
    await this.storeDeals(deals);
  }

  private async storeDeals(values: unknown[]): Promise<void> {
    const now = this.now();
    const rows = values.map((value) => toDealRow(value, now));
    const before = new Map((await this.db.deals.toArray()).map((deal) => [deal.dealId, deal]));
    await this.db.deals.bulkPut(rows);
    await this.deps.onDeals?.(before, rows);
  }

  /** Confirm or decline a deal: a Commitment on the server (the window is short, so no outbox: a clear error). */
  async respond(input: RespondInput): Promise<DealRow> {
    const client = await this.authedClient();
    const row = toDealRow(await client.commitments.respond.mutate(input), this.now());
    const before = new Map((await this.db.deals.toArray()).map((deal) => [deal.dealId, deal]));
    await this.db.deals.put(row);
    await this.deps.onDeals?.(before, [row]);
    return row;
  }

  /** Sends the shopper's interests (kept locally first; sent again on the next refresh if the server is down). */
  async syncInterests(): Promise<void> {
    const settings = await readSettings(this.db);
    if (settings.interestsSynced) return;
    const client = await this.authedClient();
    await client.interests.set.mutate({ interests: settings.interests });
    await writeSettings(this.db, { interestsSynced: true });
  }

  // ---- live events ----

  /** Listens to `events.shopper` while the service worker runs; resumes from the last event id. */
  async listen(): Promise<void> {
    if (!(await this.hasIdentity())) return;
    const settings = await readSettings(this.db);
    const key = `${settings.identity!.serverUrl} ${settings.identity!.token}`;
    if (this.subscription?.key === key) return;
    this.subscription?.unsubscribe();
    const client = await this.authedClient();
    const input = settings.lastEventId ? { lastEventId: settings.lastEventId } : {};
    // The link reconnects by itself after a network error. It gives up on a refusal (the server answered the
    // subscription with an error) or when the stream ends: then listen again, later and later, instead of
    // staying deaf until the service worker restarts.
    const ended = () => {
      if (this.subscription?.key !== key) return;
      this.subscription = null;
      const delay = Math.min(LISTEN_RETRY_MAX_MS, LISTEN_RETRY_FIRST_MS * 2 ** this.listenFailures++);
      this.listenTimer = setTimeout(() => void this.listen().catch(() => undefined), delay);
    };
    const subscription = client.events.shopper.subscribe(input, {
      onStarted: () => {
        this.listenFailures = 0;
      },
      onData: (data) => void this.received(data),
      onError: ended,
      onComplete: ended,
    });
    this.subscription = { key, unsubscribe: () => subscription.unsubscribe() };
  }

  stopListening(): void {
    if (this.listenTimer) clearTimeout(this.listenTimer);
    this.listenTimer = null;
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  private async received(data: unknown): Promise<void> {
    // Tracked events arrive as { id, data }.
    const envelope = data as { id?: unknown; data?: unknown };
    const payload = envelope && typeof envelope === 'object' && 'data' in envelope ? envelope.data : data;
    // The one check of a notice, as it enters the extension; one the contract does not know is skipped.
    const parsed = ShopperNotice.safeParse(payload);
    if (typeof envelope?.id === 'string') await writeSettings(this.db, { lastEventId: envelope.id });
    if (!parsed.success) return;
    const event = parsed.data;
    await this.deps.onEvent?.(event);
    if (event.dealId) await this.refresh().catch(() => undefined);
  }
}

interface ServerIntentAnswer {
  intent: { productId: string; poolId: string };
  pool: { memberCount: number; totalQuantity: number };
}
