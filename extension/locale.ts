import { browser } from 'wxt/browser';
import { pickLocale, type Locale } from '../core/i18n/index.ts';

/** The browser's UI language tag (e.g. `fr-FR`), used to format numbers and prices. */
export function uiLanguage(): string {
  return browser.i18n.getUILanguage();
}

/** The extension's language: from the browser's UI language (an options page may override it later). */
export function uiLocale(): Locale {
  return pickLocale(uiLanguage());
}
