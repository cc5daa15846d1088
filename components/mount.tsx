import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { translator, type MessageKey } from '../core/i18n/index.ts';
import { I18nProvider } from './I18n.tsx';
import { chosenLocale } from './locale-setting.ts';

/** Renders an extension page in the shopper's language (the options page, the confirmation view). */
export function mountPage(titleKey: MessageKey, page: () => ReactNode): void {
  const { locale, languageTag } = chosenLocale();
  document.documentElement.lang = locale;
  document.title = translator(locale)(titleKey);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <I18nProvider value={{ locale, languageTag, t: translator(locale) }}>{page()}</I18nProvider>
    </StrictMode>,
  );
}
