import { z } from 'zod';
import { browser, type Browser } from 'wxt/browser';
import { Decision, ShareContact } from '../core/shopper-deal.ts';
import { Price, Quantity } from '../core/intent.ts';
import { CurrencyCode, ProductSnapshot } from '../core/snapshot.ts';
import type { DealRow, LookupRow } from './records.ts';
import { refusalOf, type Refusal } from '../core/i18n/refusals.ts';

/**
 * The one message protocol between the content script, the background and the popup.
 *
 * Every request is parsed with zod when it arrives in the background: a content script runs on pages we do
 * not control, so nothing it sends is trusted. Each request also says which kind of sender may send it, so a
 * content script cannot read what the extension knows about other tabs.
 *
 * `sendMessage` lives in send-message.ts (re-exported here) and imports only types from this file: the
 * content script imports it from there, so zod stays out of its bundle (a test checks the size).
 */

const TabId = z.number().int().nonnegative();
const IntentId = z.uuid();
const MaxPrice = Price.nullable();
const PageUrl = z
  .string()
  .max(4096)
  .refine((url) => /^https?:\/\//i.test(url), 'expected an http(s) page address');

/** A tab's product as the popup shows it: the tab, and the product's address (its snapshot's `url`). */
const TabProductRef = { tabId: TabId, productUrl: PageUrl };

export const Request = z.discriminatedUnion('type', [
  /** Content script → background: what detection read on the page (null: no product on it). */
  z.strictObject({ type: z.literal('productDetected'), pageUrl: PageUrl, snapshot: ProductSnapshot.nullable() }),
  /**
   * Popup → background: "I want this" for the product the popup shows in `tabId` (works offline: the intent
   * waits in the outbox). The background reads the tab's snapshot itself; `productUrl` (the snapshot's url)
   * says which product the shopper saw, so a tab that moved on to another product meanwhile is refused.
   */
  z.strictObject({
    type: z.literal('join'),
    ...TabProductRef,
    quantity: Quantity,
    maxPrice: MaxPrice,
    currency: CurrencyCode,
  }),
  z.strictObject({ type: z.literal('updateIntent'), intentId: IntentId, quantity: Quantity, maxPrice: MaxPrice }),
  z.strictObject({ type: z.literal('withdrawIntent'), intentId: IntentId }),
  /** Popup opened on a product page: deliver what waits, then ask the server about the tab's product. */
  z.strictObject({ type: z.literal('refreshProduct'), ...TabProductRef }),
  /** Confirmation view → background: confirm or decline a deal (a Commitment). */
  z.strictObject({
    type: z.literal('respondDeal'),
    dealId: z.string().min(1).max(100),
    decision: Decision,
    shareContact: z.strictObject(ShareContact.shape).optional(),
  }),
  /** Options page → background: settings were saved (server, interests, privacy). */
  z.strictObject({ type: z.literal('settingsChanged') }),
  /** Options page → background: forget the products seen and the server's answers kept for them. */
  z.strictObject({ type: z.literal('clearHistory') }),
  /** Any extension page: deliver the outbox and refresh deals now. */
  z.strictObject({ type: z.literal('syncNow') }),
]);
export type Request = z.infer<typeof Request>;
export type RequestType = Request['type'];
export type RequestOf<T extends RequestType> = Extract<Request, { type: T }>;

/** What the background knows about one tab. */
export interface TabProduct {
  /** Address of the page when detection ran (the tab's, not the product's canonical URL). */
  pageUrl: string;
  snapshot: ProductSnapshot | null;
  /** Epoch milliseconds. */
  detectedAt: number;
}

// The compiler checks that every request type has a response type here.
type ResponseMap<T extends Record<RequestType, unknown>> = T;
type Responses = ResponseMap<{
  productDetected: { recorded: boolean };
  join: { intentId: string };
  updateIntent: { ok: true };
  withdrawIntent: { ok: true };
  /** null: the tab shows no product, or another one than `productUrl` now (the popup follows it). */
  refreshProduct: LookupRow | null;
  respondDeal: DealRow;
  settingsChanged: { ok: true };
  clearHistory: { ok: true };
  syncNow: { ok: true };
}>;
export type ResponseOf<T extends RequestType> = Responses[T];

/** Who may send each request: a content script (on a web page) or one of the extension's own pages. */
export type SenderKind = 'content-script' | 'extension-page';
const ALLOWED_SENDER: Record<RequestType, SenderKind> = {
  productDetected: 'content-script',
  join: 'extension-page',
  updateIntent: 'extension-page',
  withdrawIntent: 'extension-page',
  refreshProduct: 'extension-page',
  respondDeal: 'extension-page',
  settingsChanged: 'extension-page',
  clearHistory: 'extension-page',
  syncNow: 'extension-page',
};

/**
 * What travels back: errors are values, so the caller gets a clear message rather than a closed port. A
 * failure's `refusal` is the server's reason, to show in the shopper's language (core/i18n/refusals.ts).
 */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: string; refusal?: Refusal | null };

export { ProtocolError, sendMessage } from './send-message.ts';

export type MessageSender = Browser.runtime.MessageSender;
export type Handlers = {
  [K in RequestType]: (request: RequestOf<K>, sender: MessageSender) => Promise<ResponseOf<K>> | ResponseOf<K>;
};

/** Which kind of context sent a message, judged from what the browser says about the sender. */
export function senderKind(sender: MessageSender, extensionOrigin: string): SenderKind {
  return sender.url?.startsWith(extensionOrigin) ? 'extension-page' : 'content-script';
}

/**
 * The background's dispatcher: parses `message`, checks its sender and calls the matching handler.
 * Never throws: a malformed message or a failing handler gives `{ ok: false, error }`.
 */
export function createMessageDispatcher(handlers: Handlers, extensionOrigin: string) {
  return async (message: unknown, sender: MessageSender): Promise<Reply<unknown>> => {
    const parsed = Request.safeParse(message);
    if (!parsed.success) {
      return { ok: false, error: `malformed message: ${z.prettifyError(parsed.error)}` };
    }
    const request = parsed.data;
    const kind = senderKind(sender, extensionOrigin);
    if (ALLOWED_SENDER[request.type] !== kind) {
      return { ok: false, error: `${request.type} may not be sent from a ${kind}` };
    }
    try {
      // The union is narrowed by `type`, which TypeScript cannot correlate with the handler's parameter.
      const handler = handlers[request.type] as (r: Request, s: MessageSender) => unknown;
      return { ok: true, value: await handler(request, sender) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error), refusal: refusalOf(error) };
    }
  };
}

/** Registers the handlers in the background. Call once, synchronously, when the service worker starts. */
export function handleMessages(handlers: Handlers): void {
  const dispatch = createMessageDispatcher(handlers, browser.runtime.getURL('/'));
  // webextension-polyfill sends the resolved value of the returned promise as the reply.
  browser.runtime.onMessage.addListener(
    ((message: unknown, sender: MessageSender) => dispatch(message, sender)) as Parameters<
      typeof browser.runtime.onMessage.addListener
    >[0],
  );
}
