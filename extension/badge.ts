import { browser } from 'wxt/browser';
import type { ProductSnapshot } from '../core/snapshot.ts';
import { t, type Locale } from '../core/i18n/index.ts';

// Chrome (MV3) has `action`; Firefox's MV2 build has `browserAction` with the same methods.
const toolbarButton = () => browser.action ?? browser.browserAction;

/** Marks the toolbar button of `tabId` when a product was found there, and clears it otherwise. */
export async function showProductBadge(tabId: number, snapshot: ProductSnapshot | null, locale: Locale) {
  const button = toolbarButton();
  if (!snapshot) {
    await Promise.all([button.setBadgeText({ tabId, text: '' }), button.setTitle({ tabId, title: t(locale, 'extName') })]);
    return;
  }
  await Promise.all([
    button.setBadgeText({ tabId, text: '1' }),
    button.setBadgeBackgroundColor({ tabId, color: '#1a7f37' }),
    button.setTitle({ tabId, title: t(locale, 'badgeTitleProduct', { name: snapshot.name }) }),
  ]);
}
