import { browser } from 'wxt/browser';
import type { Locale } from '../core/i18n/index.ts';
import { refusalText, type Refusal, type RefusalKey } from '../core/i18n/refusals.ts';
import type { ProductSnapshot } from '../core/snapshot.ts';
import { showProductBadge } from './badge.ts';
import type { ExtensionDB } from './db.ts';
import { languageTagFor, uiLanguage } from './locale.ts';
import { handleMessages, ProtocolError, type Handlers } from './messages.ts';
import { eventNotice, Notifier } from './notices.ts';
import { readSettings } from './settings.ts';
import { Sync } from './sync.ts';
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

export function createSync(db: ExtensionDB, notifier: Notifier, now: () => number = Date.now): Sync {
  return new Sync({
    db,
    now,
    languageTag: uiLanguage,
    scheduleRetry: (when) => void browser.alarms?.create(RETRY_ALARM, { when }),
    onDeals: (before, after) => notifier.onDeals(before, after),
    onEvent: async (event) => {
      await notifier.tell(eventNotice(event));
    },
  });
}

/** The background's message handlers: per-tab product, badge, local history, and the shopper's groups. */
export function backgroundHandlers(deps: BackgroundDeps): Handlers {
  const { db, locale, now = Date.now } = deps;
  const notifier = deps.notifier ?? new Notifier(db, locale, () => languageTagFor(locale()), now);
  const sync = deps.sync ?? createSync(db, notifier, now);
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
        if ((await readSettings(db)).sharePrices) void sync.sharePrice(snapshot).catch(() => undefined);
      }
      return { recorded: snapshot !== null };
    },

    async join({ tabId, productUrl, quantity, maxPrice, currency }) {
      const snapshot = await tabSnapshot(tabId, productUrl);
      if (!snapshot) throw refusedAs('pageChanged');
      const intent = await sync.join({ snapshot, quantity, maxPrice, currency });
      void sync
        .flush()
        .then(() => sync.syncInterests())
        .then(() => sync.listen())
        .catch(() => undefined);
      return { intentId: intent.id };
    },
    async updateIntent({ intentId, quantity, maxPrice }) {
      await sync.updateIntent(intentId, { quantity, maxPrice });
      return { ok: true };
    },
    async withdrawIntent({ intentId }) {
      await sync.withdraw(intentId);
      return { ok: true };
    },
    async refreshProduct({ tabId, productUrl }) {
      const snapshot = await tabSnapshot(tabId, productUrl);
      if (!snapshot) return null;
      // Opening the popup is the shopper acting: deliver what waits, then ask about this product.
      void sync.retryNow().catch(() => undefined);
      const row = await sync.lookup(snapshot);
      void sync.refresh().then(() => sync.listen()).catch(() => undefined);
      return row;
    },
    async respondDeal({ dealId, decision, shareContact }) {
      // A refusal reaches the page with its key (messages.ts): the page says it in the shopper's language.
      return sync.respond({ dealId, decision, ...(shareContact && { shareContact }) });
    },
    async settingsChanged() {
      await deps.onSettingsChanged?.();
      sync.stopListening();
      // Asking for alerts on interests is the shopper acting: it may create the identity, so the server can
      // match campaigns to them. Otherwise nothing is sent until the shopper has joined or opened the popup.
      const settings = await readSettings(db);
      const wantsAlerts = !settings.interestsSynced && settings.interests.length > 0;
      if (wantsAlerts || (await sync.hasIdentity())) {
        void sync
          .syncInterests()
          .then(() => sync.listen())
          .catch(() => undefined);
      }
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
      await sync.retryNow();
      await sync.refresh();
      await sync.syncInterests().catch(() => undefined);
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
  const sync = deps.sync ?? createSync(deps.db, notifier, now);
  handleMessages(backgroundHandlers({ ...deps, sync, notifier }));
  browser.tabs.onUpdated.addListener((tabId, changeInfo) => {
    if (changeInfo.status === 'loading') void onTabLoading(tabId, changeInfo.url, deps.locale());
  });
  browser.tabs.onRemoved.addListener((tabId) => void forgetTabProduct(tabId));

  // Scheduled refresh (the service worker may be stopped between alarms) and outbox retries.
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RETRY_ALARM) void sync.flush().catch(() => undefined);
    if (alarm.name === REFRESH_ALARM) {
      void sync
        .refresh()
        .then(() => sync.syncInterests())
        .then(() => sync.listen())
        .catch(() => undefined);
    }
  });
  void browser.alarms.get(REFRESH_ALARM).then((existing) => {
    if (!existing) void browser.alarms.create(REFRESH_ALARM, { periodInMinutes: REFRESH_MINUTES });
  });
  browser.notifications.onClicked.addListener((id) => void notifier.onClicked(id));

  // A shopper who has joined before: deliver what waits and listen while the browser runs.
  void (async () => {
    if (!(await sync.hasIdentity())) return;
    await sync.flush();
    await sync.listen();
    await sync.refresh();
  })().catch(() => undefined);
  void notifier.updateBadge().catch(() => undefined);
}
