import { browser } from 'wxt/browser';
import type { TabProduct } from '../extension/messages.ts';
import { loadTabProduct } from '../extension/tab-products.ts';
import type { RetailerPrice } from './compare.ts';
import { pageDb } from './db.ts';
import { readMyIntents, readPagePool, readRetailerPrices, type MyIntentsRows, type PagePool } from './local-queries.ts';

/**
 * What the popup shows on opening, read before its first render. The reads start as soon as the popup's
 * script runs, all at once, instead of one after another from each panel's effects after React mounts:
 * the popup then opens with the product, its group, the other shops and "My groups" in one paint, and the
 * panels' live queries take over from there.
 */

export type TabState =
  | { kind: 'no-tab' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; tabId: number; tabProduct: TabProduct | null };

export interface PopupStart {
  tab: TabState;
  /** Rows for the panels, when read in time (undefined: the panel reads them itself). */
  pagePool?: PagePool | undefined;
  retailerPrices?: RetailerPrice[] | undefined;
  myIntents?: MyIntentsRows | undefined;
}

/**
 * A local database that does not answer at once (another context upgrading it, a disk under load) must not
 * keep the popup blank: after this long it renders without the rows, and the panels fill in when they come.
 */
const LOCAL_ROWS_DEADLINE_MS = 300;

/**
 * The tab to describe: `?tab=ID` when given, else the active tab of the current window (what the toolbar
 * button means). The parameter exists because the browser tests open popup.html in a tab of its own, where
 * the "active tab" would be the popup itself.
 */
export async function targetTabId(): Promise<number | undefined> {
  const requested = Number(new URLSearchParams(location.search).get('tab'));
  if (Number.isInteger(requested) && requested > 0) return requested;
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

/** The tab's product, straight from session storage (no round trip to a service worker that may be asleep). */
export async function readTabState(): Promise<TabState> {
  try {
    const tabId = await targetTabId();
    return tabId === undefined ? { kind: 'no-tab' } : { kind: 'ready', tabId, tabProduct: await loadTabProduct(tabId) };
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

function withinDeadline<T>(read: Promise<T>): Promise<T | undefined> {
  return Promise.race([
    read.catch(() => undefined),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), LOCAL_ROWS_DEADLINE_MS)),
  ]);
}

export async function readPopupStart(): Promise<PopupStart> {
  const db = pageDb();
  // "My groups" does not depend on the tab: its read starts together with the tab's.
  const myIntents = withinDeadline(readMyIntents(db));
  const tab = await readTabState();
  const snapshot = tab.kind === 'ready' ? tab.tabProduct?.snapshot : undefined;
  const [pagePool, retailerPrices] = snapshot
    ? await Promise.all([withinDeadline(readPagePool(db, snapshot)), withinDeadline(readRetailerPrices(db, snapshot))])
    : [undefined, undefined];
  return { tab, pagePool, retailerPrices, myIntents: await myIntents };
}
