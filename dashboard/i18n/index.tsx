import { createContext, useContext } from 'react';
import { fill, pickLocale, type Locale } from '../../core/i18n/index.ts';
import { en, type DashboardKey } from './en.ts';
import { fr } from './fr.ts';

export type { Locale } from '../../core/i18n/index.ts';
export type { DashboardKey } from './en.ts';

/** The dashboard's own dictionaries (the extension's live in core/i18n); French must carry every English key. */
const DICTIONARIES: Record<Locale, Record<DashboardKey, string>> = { en, fr };

const STORAGE_KEY = 'group-buy.dashboard-locale';

/** The chosen language, else the browser's. */
export function initialLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'en' || stored === 'fr') return stored;
  } catch {
    // Storage disabled: fall back to the browser's language.
  }
  return pickLocale(navigator.language);
}

export function rememberLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered: the switch still works for this page.
  }
}

export type Params = Readonly<Record<string, string | number>>;
export type Translate = (key: DashboardKey, params?: Params) => string;

export function translate(locale: Locale, key: DashboardKey, params: Params = {}): string {
  return fill(DICTIONARIES[locale][key], params);
}

export const LocaleContext = createContext<{ locale: Locale; setLocale: (locale: Locale) => void }>({ locale: 'en', setLocale: () => {} });

export function useLocale(): { locale: Locale; t: Translate; setLocale: (locale: Locale) => void } {
  const { locale, setLocale } = useContext(LocaleContext);
  return { locale, setLocale, t: (key, params) => translate(locale, key, params) };
}
