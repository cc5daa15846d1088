import type { Locale } from '../core/i18n/index.ts';
import { pageDb } from './db.ts';
import { languageTagFor, uiLocale } from '../extension/locale.ts';

/** The language the shopper chose in the options page (read before the first render), else the browser's. */
export async function chosenLocale(): Promise<{ locale: Locale; languageTag: string }> {
  let choice: Locale | 'auto' = 'auto';
  try {
    const row = await pageDb().settings.get('locale');
    if (row?.value === 'en' || row?.value === 'fr') choice = row.value;
  } catch {
    // A database that cannot open must not keep the popup from showing the product.
  }
  const locale = uiLocale(choice);
  return { locale, languageTag: languageTagFor(locale) };
}
