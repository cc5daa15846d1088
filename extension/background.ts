import { browser } from 'wxt/browser';
import type { Locale } from '../core/i18n/index.ts';
import { refusalText, type Refusal, type RefusalKey } from '../core/i18n/refusals.ts';
import type { ProductSnapshot } from '../core/snapshot.ts';
import { showProductBadge } from './badge.ts';
import type { ExtensionDB } from './db.ts';
import { languageTagFor, uiLanguage } from './locale.ts';
import { handleMessages, ProtocolError, type Handlers } from './messages.ts';
import { eventNotice, Notifier } from './notices.ts';
import type { CatchUpReason } from './catch-up.ts';
import { readSettings } from './settings.ts';
import { createSync, type Sync } from './sync.ts';
import { forgetTabProduct, loadTabProduct, samePage, saveTabProduct } from './tab-products.ts';

export interface BackgroundDeps {
  db: ExtensionDB;
  /** The shopper's UI language, for the toolbar button's tooltip and notifications. */
  locale: () => Locale;
  now?: () => number;
  sync?: Sync;
  notifier?: Notifier;
  /** Settings were saved: the background re-reads the language. */
  onSettingsChanged?: () => Promise<void>;
}

/** Alarm names: the scheduled refresh and the outbox's next retry. */
export const REFRESH_ALARM = 'refresh';
export const RETRY_ALARM = 'outbox-retry';
export const REFRESH_MINUTES = 15;

/** The link with the server (sync.ts), telling the shopper through `notifier`. */
export function backgroundSync(db: ExtensionDB, notifier: Notifier, now: () => number = Date.now): Sync {
  return createSync({
    db,
    now,
    languageTag: uiLanguage,
    scheduleRetry: (when) => void browser.alarms?.create(RETRY_ALARM, { when }),
    onDeals: (before, after) => notifier.onDeals(before, after),
    onNotice: async (notice) => {
      await notifier.tell(eventNotice(notice));
    },
  });
}

/** The background's message handlers: per-tab product, badge, local history, and the shopper's groups. */
export function backgroundHandlers(deps: BackgroundDeps): Handlers {
  const { db, locale, now = Date.now } = deps;
  const notifier = deps.notifier ?? new Notifier(db, locale, () => languageTagFor(locale()), now);
  const sync = deps.sync ?? backgroundSync(db, notifier, now);
  const { server, outbox, stream, catchUp } = sync;
  return {
    async productDetected({ pageUrl, snapshot }, sender) {
      const tabId = sender.tab?.id;
      if (tabId === undefined) throw new ProtocolError('productDetected must come from a tab');
      // Only the top frame describes the page the shopper looks at (the content script runs there only).
      if (sender.frameId !== undefined && sender.frameId !== 0) return { recorded: false };
      await saveTabProduct(tabId, { pageUrl, snapshot, detectedAt: now() });
      await showProductBadge(tabId, snapshot, locale());
      if (snapshot) {
        await db.recordProductSeen(snapshot, now());
        // Browsing alone sends nothing, unless the shopper opted in to share the prices they see.
        if ((await readSettings(db)).sharePrices) void server.sharePrice(snapshot).catch(() => undefined);
      }
      return { recorded: snapshot !== null };
    },

    async join({ tabId, productUrl, quantity, maxPrice, currency }) {
      const snapshot = await tabSnapshot(tabId, productUrl);
      if (!snapshot) throw refusedAs('pageChanged');
      const intent = await outbox.join({ snapshot, quantity, maxPrice, currency });
      catchUpLater(sync, 'joined');
      return { intentId: intent.id };
    },
    async updateIntent({ intentId, quantity, maxPrice }) {
      await outbox.updateIntent(intentId, { quantity, maxPrice });
      return { ok: true };
    },
    async withdrawIntent({ intentId }) {
      await outbox.withdraw(intentId);
      return { ok: true };
    },
    async refreshProduct({ tabId, productUrl }) {
      const snapshot = await tabSnapshot(tabId, productUrl);
      if (!snapshot) return null;
      // Opening the popup on a product is the shopper acting: it may create their identity (the lookup needs
      // one). Then the product is looked up while the catch-up delivers what waits, reads back and listens.
      await server.identity();
      catchUpLater(sync, 'popup');
      return server.lookup(snapshot);
    },
    async respondDeal({ dealId, decision, shareContact }) {
      // A refusal reaches the page with its key (messages.ts): the page says it in the shopper's language.
      return server.respond({ dealId, decision, ...(shareContact && { shareContact }) });
    },
    async settingsChanged() {
      await deps.onSettingsChanged?.();
      // The server or the identity may have changed: the stream listens again where it should. Asking for
      // alerts on interests is the shopper acting: the catch-up may create the identity to send them.
      stream.stop();
      catchUpLater(sync, 'settings');
      return { ok: true };
    },
    async clearHistory() {
      await db.transaction('rw', db.productsSeen, db.lookups, async () => {
        await db.productsSeen.clear();
        await db.lookups.clear();
      });
      return { ok: true };
    },
    async syncNow() {
      await catchUp.run('sync-now');
      return { ok: true };
    },
  };
}

/**
 * The product detection reported in `tabId`, if it is still the one at `productUrl` (the popup names the tab
 * and the product it shows; the snapshot itself never travels back from the popup).
 */
async function tabSnapshot(tabId: number, productUrl: string): Promise<ProductSnapshot | null> {
  const snapshot = (await loadTabProduct(tabId))?.snapshot ?? null;
  return snapshot?.url === productUrl ? snapshot : null;
}

/** A catch-up nobody waits for: what fails is retried by the next one. */
function catchUpLater(sync: Pick<Sync, 'catchUp'>, reason: CatchUpReason): void {
  void sync.catchUp.run(reason).catch(() => undefined);
}

function refusedAs(key: RefusalKey): ProtocolError {
  const refusal: Refusal = { key, params: {} };
  return new ProtocolError(refusalText(refusal, 'en'), refusal);
}

/**
 * A tab started loading: forget its product unless it is still the same page. Without the `tabs` permission
 * the browser does not tell us the new address (`url` is undefined), so any load forgets; the content script
 * reports again once the new page is read.
 */
export async function onTabLoading(tabId: number, url: string | undefined, locale: Locale): Promise<void> {
  const known = await loadTabProduct(tabId);
  if (!known || (url !== undefined && samePage(url, known.pageUrl))) return;
  await forgetTabProduct(tabId);
  await showProductBadge(tabId, null, locale);
}

/** Wires everything. Listeners are added synchronously, so a restarted service worker gets its events. */
export function startBackground(deps: BackgroundDeps): void {
  const now = deps.now ?? Date.now;
  const notifier = deps.notifier ?? new Notifier(deps.db, deps.locale, () => languageTagFor(deps.locale()), now);
  const sync = deps.sync ?? backgroundSync(deps.db, notifier, now);
  handleMessages(backgroundHandlers({ ...deps, sync, notifier }));
  browser.tabs.onUpdated.addListener((tabId, changeInfo) => {
    if (changeInfo.status === 'loading') void onTabLoading(tabId, changeInfo.url, deps.locale());
  });
  browser.tabs.onRemoved.addListener((tabId) => void forgetTabProduct(tabId));

  // Scheduled refresh (the service worker may be stopped between alarms) and outbox retries.
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RETRY_ALARM) catchUpLater(sync, 'retry');
    if (alarm.name === REFRESH_ALARM) catchUpLater(sync, 'alarm');
  });
  void browser.alarms.get(REFRESH_ALARM).then((existing) => {
    if (!existing) void browser.alarms.create(REFRESH_ALARM, { periodInMinutes: REFRESH_MINUTES });
  });
  browser.notifications.onClicked.addListener((id) => void notifier.onClicked(id));

  // Deliver what waits, read back and listen while the browser runs (nothing for a shopper who never acted).
  catchUpLater(sync, 'started');
  void notifier.updateBadge().catch(() => undefined);
}
