import { browser } from 'wxt/browser';
import type { TabProduct } from './messages.ts';

/**
 * What detection found in each tab, in `storage.session`: it survives the service worker being stopped and
 * restarted (MV3 stops it after 30 s idle), and is dropped when the browser closes. Only the extension's own
 * contexts can read session storage (content scripts cannot, by default).
 */
const keyOf = (tabId: number) => `tabProduct:${tabId}`;

export async function saveTabProduct(tabId: number, value: TabProduct): Promise<void> {
  await browser.storage.session.set({ [keyOf(tabId)]: value });
}

export async function loadTabProduct(tabId: number): Promise<TabProduct | null> {
  const key = keyOf(tabId);
  const stored = await browser.storage.session.get(key);
  return (stored[key] as TabProduct | undefined) ?? null;
}

export async function forgetTabProduct(tabId: number): Promise<void> {
  await browser.storage.session.remove(keyOf(tabId));
}

/** Same page, ignoring the fragment (`#reviews` is no navigation to another product). */
export function samePage(a: string, b: string): boolean {
  return a.split('#')[0] === b.split('#')[0];
}
