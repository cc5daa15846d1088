import type { Locale } from '../core/i18n/index.ts';
import { languageTagFor, uiLocale } from '../extension/locale.ts';

/**
 * The language the shopper chose in the options page. The background reads it from the settings table; the
 * extension's pages read this copy in localStorage, synchronously, so the popup renders without waiting for
 * the database to open.
 */
const KEY = 'group-buy.locale';

export function rememberLocale(choice: Locale | 'auto'): void {
  localStorage.setItem(KEY, choice);
}

export function chosenLocale(): { locale: Locale; languageTag: string } {
  const stored = localStorage.getItem(KEY);
  const locale = uiLocale(stored === 'en' || stored === 'fr' ? stored : 'auto');
  return { locale, languageTag: languageTagFor(locale) };
}
