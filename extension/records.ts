import type { inferRouterOutputs } from '@trpc/server';
import type { Refusal } from '../core/i18n/refusals.ts';
import type { NoticeType, ShopperDeal } from '../core/shopper-deal.ts';
import type { ProductSnapshot } from '../core/snapshot.ts';
import type { AppRouter } from '../server/routers/_app.ts';

/** The rows of the extension's database (db.ts), version 2. Types only: the popup imports them freely. */

export type RouterOutputs = inferRouterOutputs<AppRouter>;
/** The server's answer to `products.lookup`: product, pool, competitors' prices, the shopper's own intent. */
export type LookupResult = RouterOutputs['products']['lookup'];

/** Where an intent stands with the server: still in the outbox, delivered, or refused by the server. */
export type SyncState = 'pending' | 'sent' | 'failed';

/** The shopper's "I want this", as the extension keeps it (the server's copy has the same client id). */
export interface IntentRow {
  /** Generated here (crypto.randomUUID()) before the first attempt; every retry reuses it (idempotency). */
  id: string;
  /** The product page the shopper joined from (its canonical URL). */
  pageUrl: string;
  snapshot: ProductSnapshot;
  productName: string;
  retailer: string;
  /** The server's product and pool, once it answered. */
  productId: string | null;
  poolId: string | null;
  quantity: number;
  maxPrice: string | null;
  currency: string;
  region: string;
  status: 'live' | 'withdrawn';
  sync: SyncState;
  /** Why the server refused (sync = failed), or the last network error while pending. */
  lastError: string | null;
  /** The server's refusal behind lastError, shown in the shopper's language (absent on rows from before). */
  lastRefusal?: Refusal | null;
  /** The pool as the server last described it (members, quantity). */
  memberCount: number | null;
  totalQuantity: number | null;
  createdAt: number;
  updatedAt: number;
}

export type OutboxKind = 'register' | 'update' | 'withdraw';

/**
 * A call still to deliver. Operations on one intent go in order (a withdraw never overtakes its register);
 * each is safe to repeat: register by its client id, update and withdraw set values.
 */
export interface OutboxOp {
  seq?: number;
  intentId: string;
  kind: OutboxKind;
  attempts: number;
  /** Epoch ms: not before (exponential backoff after each failed attempt). */
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
}

/**
 * One of the shopper's deals, as `deals.mine` returns it (the contract: core/shopper-deal.ts). Without
 * `windowOpen`, which is only true at the moment the server answered: the extension compares `confirmBy`
 * with the time instead.
 */
export type DealRow = Omit<ShopperDeal, 'windowOpen'> & {
  /** Epoch ms of the last refresh. */
  fetchedAt: number;
};

/** Something the shopper was told (a browser notification); `key` makes each fact be told once. */
export interface NotificationRow {
  id?: number;
  key: string;
  type: NoticeType;
  dealId: string | null;
  campaignId: string | null;
  productName: string;
  unitPrice: string | null;
  currency: string | null;
  confirmBy: string | null;
  createdAt: number;
  /** The shopper opened it (clicked the notification or the deal). */
  read: boolean;
}

/** The server's last answer for a product page: the popup shows it at once, then asks again. */
export interface LookupRow {
  pageUrl: string;
  productId: string | null;
  fetchedAt: number;
  result: LookupResult;
}

export interface SettingRow {
  key: string;
  value: unknown;
}
