import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import type { inferRouterInputs } from '@trpc/server';
import { EventSource } from 'eventsource';
import { ShopperDeal } from '../core/shopper-deal.ts';
import type { ProductSnapshot } from '../core/snapshot.ts';
import type { AppRouter } from '../server/routers/_app.ts';
import type { ExtensionDB } from './db.ts';
import type { DealRow, LookupRow } from './records.ts';
import { readSettings, regionOf, writeSettings, type ShopperIdentity } from './settings.ts';

/**
 * The server client: the shopper's identity, the tRPC client it authenticates (batched HTTP for calls, SSE
 * for subscriptions), and the calls that need the server now: the popup's lookup, shared prices, the
 * shopper's intents and deals read back, a deal's answer, the interests. What must reach the server even
 * when it is down goes through the outbox (outbox.ts) instead.
 */

export type TrpcClient = TRPCClient<AppRouter>;
/** Confirm or decline, as `commitments.respond` takes it. */
export type RespondInput = inferRouterInputs<AppRouter>['commitments']['respond'];

export function createTrpcClient(serverUrl: string, token: string | null, fetchImpl?: typeof fetch): TrpcClient {
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

/** A deal from the server, checked against the contract (core/shopper-deal.ts) as it enters the extension. */
export function toDealRow(value: unknown, fetchedAt: number): DealRow {
  const { windowOpen: _answeredWhileOpen, ...deal } = ShopperDeal.parse(value);
  return { ...deal, fetchedAt };
}

export interface ServerClientDeps {
  db: ExtensionDB;
  languageTag: () => string;
  now?: () => number;
  fetch?: typeof fetch;
  /** The deals changed (read back, or answered): notifications and badge follow. */
  onDeals?: (before: Map<string, DealRow>, after: DealRow[]) => Promise<void>;
}

export class ServerClient {
  readonly #deps: ServerClientDeps;
  readonly #db: ExtensionDB;
  readonly #now: () => number;
  #creatingIdentity: Promise<ShopperIdentity> | null = null;
  #client: { key: string; client: TrpcClient } | null = null;

  constructor(deps: ServerClientDeps) {
    this.#deps = deps;
    this.#db = deps.db;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * The shopper's identity, created on the first call that needs one (a join, the popup on a product page):
   * a shopper who never acts never contacts the server. Recreated if the server address changes.
   */
  async identity(): Promise<ShopperIdentity> {
    const settings = await readSettings(this.#db);
    if (settings.identity && settings.identity.serverUrl === settings.serverUrl) return settings.identity;
    this.#creatingIdentity ??= (async () => {
      try {
        const anonymous = createTrpcClient(settings.serverUrl, null, this.#deps.fetch);
        const created = await anonymous.identity.createShopper.mutate();
        const identity: ShopperIdentity = { ...created, serverUrl: settings.serverUrl, createdAt: this.#now() };
        await writeSettings(this.#db, { identity, lastEventId: null, interestsSynced: settings.interests.length === 0 });
        return identity;
      } finally {
        this.#creatingIdentity = null;
      }
    })();
    return this.#creatingIdentity;
  }

  /** Whether the shopper has an identity on the current server (then there is something to read and hear). */
  async hasIdentity(): Promise<boolean> {
    const settings = await readSettings(this.#db);
    return settings.identity !== null && settings.identity.serverUrl === settings.serverUrl;
  }

  /** The tRPC client with the shopper's token (creating the identity if needed). */
  async trpc(): Promise<TrpcClient> {
    const identity = await this.identity();
    const key = `${identity.serverUrl} ${identity.token}`;
    if (this.#client?.key !== key) this.#client = { key, client: createTrpcClient(identity.serverUrl, identity.token, this.#deps.fetch) };
    return this.#client.client;
  }

  /** The popup asked about this page: the server's product, pool and prices, kept for the next opening. */
  async lookup(snapshot: ProductSnapshot): Promise<LookupRow> {
    const settings = await readSettings(this.#db);
    const client = await this.trpc();
    const result = await client.products.lookup.query({
      snapshot,
      region: regionOf(settings, this.#deps.languageTag()),
      sharePrice: settings.sharePrices,
    });
    const row: LookupRow = { pageUrl: snapshot.url, productId: result.product?.id ?? null, fetchedAt: this.#now(), result };
    await this.#db.lookups.put(row);
    const mine = result.myIntent;
    if (mine && result.pool) {
      await this.#db.intents.where('id').equals(mine.id).modify((intent) => {
        intent.memberCount = result.pool!.memberCount;
        intent.totalQuantity = result.pool!.totalQuantity;
      });
    }
    return row;
  }

  /** The prices the shopper sees, sent only when they opted in (settings.sharePrices). */
  async sharePrice(snapshot: ProductSnapshot): Promise<void> {
    const settings = await readSettings(this.#db);
    if (!settings.sharePrices || snapshot.price === null || snapshot.currency === null) return;
    const client = await this.trpc();
    await client.products.sharePrice.mutate({ snapshot });
  }

  /**
   * Reads the shopper's intents and deals back from the server (nothing without an identity). Intents with
   * an operation still in the outbox keep their local values: the catch-up (catch-up.ts) delivers first.
   */
  async refresh(): Promise<void> {
    if (!(await this.hasIdentity())) return;
    const client = await this.trpc();
    const [intents, deals] = await Promise.all([
      client.intents.mine.query({ includeEnded: true, limit: 200 }),
      client.deals.mine.query({ limit: 100 }),
    ]);
    await this.#db.transaction('rw', this.#db.intents, async () => {
      for (const remote of intents) {
        const local = await this.#db.intents.get(remote.id);
        if (!local || local.sync === 'pending') continue;
        await this.#db.intents.update(remote.id, {
          status: remote.status === 'live' ? 'live' : 'withdrawn',
          quantity: remote.quantity,
          maxPrice: remote.maxPrice,
          productId: remote.productId,
          poolId: remote.poolId,
        });
      }
    });
    await this.#storeDeals(deals.map((deal) => toDealRow(deal, this.#now())));
  }

  /** Confirm or decline a deal: a Commitment on the server (the window is short, so no outbox: a clear error). */
  async respond(input: RespondInput): Promise<DealRow> {
    const client = await this.trpc();
    const row = toDealRow(await client.commitments.respond.mutate(input), this.#now());
    await this.#storeDeals([row]);
    return row;
  }

  /** Sends the shopper's interests (kept locally first; sent again on the next catch-up if the server is down). */
  async syncInterests(): Promise<void> {
    const settings = await readSettings(this.#db);
    if (settings.interestsSynced) return;
    const client = await this.trpc();
    await client.interests.set.mutate({ interests: settings.interests });
    await writeSettings(this.#db, { interestsSynced: true });
  }

  async #storeDeals(rows: DealRow[]): Promise<void> {
    const before = new Map((await this.#db.deals.toArray()).map((deal) => [deal.dealId, deal]));
    await this.#db.deals.bulkPut(rows);
    await this.#deps.onDeals?.(before, rows);
  }
}
