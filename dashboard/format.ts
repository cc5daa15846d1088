import type { Locale } from '../core/i18n/index.ts';

/** Display only: amounts stay decimal strings everywhere else. "1299.9" → "1 299,90 €" (fr) or "€1,299.90" (en). */
export function money(amount: string | null | undefined, currency: string | null | undefined, locale: Locale): string {
  if (amount == null) return '—';
  const value = Number(amount);
  if (!Number.isFinite(value)) return amount;
  if (currency) {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.trim() }).format(value);
    } catch {
      // An unknown currency code: the amount and the code as they are.
    }
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 4 }).format(value)}${currency ? ` ${currency}` : ''}`;
}

export function count(value: number, locale: Locale): string {
  return new Intl.NumberFormat(locale).format(value);
}

export function percent(rate: number, locale: Locale): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

export function dateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** Time left until `iso`, as "2 h 05 min" / "45 s"; null once passed. */
export function timeLeft(iso: string, now: number): { hours: number; minutes: number; seconds: number } | null {
  const ms = new Date(iso).getTime() - now;
  if (ms <= 0) return null;
  const total = Math.floor(ms / 1000);
  return { hours: Math.floor(total / 3600), minutes: Math.floor((total % 3600) / 60), seconds: total % 60 };
}

/** A `<input type=datetime-local>` value (local time) for a moment `days` from now. */
export function localInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The ISO time of a `datetime-local` value (read as local time), or null when empty or invalid. */
export function isoFromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
