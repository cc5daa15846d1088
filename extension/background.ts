import { browser } from 'wxt/browser';
import type { Locale } from '../core/i18n/index.ts';
import { showProductBadge } from './badge.ts';
import type { ExtensionDB } from './db.ts';
import { handleMessages, ProtocolError, type Handlers } from './messages.ts';
import { forgetTabProduct, loadTabProduct, samePage, saveTabProduct } from './tab-products.ts';

export interface BackgroundDeps {
  db: ExtensionDB;
  /** The shopper's UI language, for the toolbar button's tooltip. */
  locale: () => Locale;
  now?: () => number;
}

/** The background's message handlers: per-tab product, badge and local history. */
export function backgroundHandlers({ db, locale, now = Date.now }: BackgroundDeps): Handlers {
  return {
    async productDetected({ pageUrl, snapshot }, sender) {
      const tabId = sender.tab?.id;
      if (tabId === undefined) throw new ProtocolError('productDetected must come from a tab');
      // Only the top frame describes the page the shopper looks at (the content script runs there only).
      if (sender.frameId !== undefined && sender.frameId !== 0) return { recorded: false };
      await saveTabProduct(tabId, { pageUrl, snapshot, detectedAt: now() });
      await showProductBadge(tabId, snapshot, locale());
      if (snapshot) await db.recordProductSeen(snapshot, now());
      return { recorded: snapshot !== null };
    },
    getTabProduct: ({ tabId }) => loadTabProduct(tabId),
  };
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
  handleMessages(backgroundHandlers(deps));
  browser.tabs.onUpdated.addListener((tabId, changeInfo) => {
    if (changeInfo.status === 'loading') void onTabLoading(tabId, changeInfo.url, deps.locale());
  });
  browser.tabs.onRemoved.addListener((tabId) => void forgetTabProduct(tabId));
}
