import type { Locale } from '../core/i18n/index.ts';
import { refusalOf, refusalText } from '../core/i18n/refusals.ts';
import type { IntentRow } from '../extension/records.ts';

/** Date and time as the shopper reads them. */
export function formatDate(value: string | number, languageTag: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(languageTag, { dateStyle: 'medium', timeStyle: 'short' });
}

/** An error as the shopper reads it: the server's refusal in their language, else the error's own message. */
export function errorText(error: unknown, locale: Locale): string {
  const refusal = refusalOf(error);
  if (refusal) return refusalText(refusal, locale);
  return error instanceof Error ? error.message : String(error);
}

/** Why the server refused an intent (or why it still waits), in the shopper's language when the server said why. */
export function intentErrorText(intent: Pick<IntentRow, 'lastError' | 'lastRefusal'>, locale: Locale): string {
  return intent.lastRefusal ? refusalText(intent.lastRefusal, locale) : (intent.lastError ?? '');
}
