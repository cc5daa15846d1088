import { browser } from 'wxt/browser';
import { pickLocale, type Locale } from '../core/i18n/index.ts';

/** The browser's UI language tag (e.g. `fr-FR`), used to format numbers and prices. */
export function uiLanguage(): string {
  return browser.i18n.getUILanguage();
}

/** The extension's language: the shopper's choice in the options page, else the browser's UI language. */
export function uiLocale(choice: Locale | 'auto' = 'auto'): Locale {
  return choice === 'auto' ? pickLocale(uiLanguage()) : choice;
}

/** Number and date formats follow the chosen language; the browser's own tag when it is that language. */
export function languageTagFor(locale: Locale): string {
  const browserTag = uiLanguage();
  return pickLocale(browserTag) === locale ? browserTag : locale;
}
