import { createContext, useContext } from 'react';
import { translator, type Locale } from '../core/i18n/index.ts';

export interface I18n {
  locale: Locale;
  /** The browser's language tag, for number and price formats (`fr-CA` formats unlike `fr-FR`). */
  languageTag: string;
  t: ReturnType<typeof translator>;
}

const I18nContext = createContext<I18n>({ locale: 'en', languageTag: 'en', t: translator('en') });

export const I18nProvider = I18nContext.Provider;

/** The UI's strings and formats. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
