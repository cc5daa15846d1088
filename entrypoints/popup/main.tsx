import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { translator } from '../../core/i18n/index.ts';
import { I18nProvider } from '../../components/I18n.tsx';
import { chosenLocale } from '../../components/locale-setting.ts';
import { App } from './App.tsx';
import './style.css';

const { locale, languageTag } = chosenLocale();
document.documentElement.lang = locale;
document.title = translator(locale)('popupTitle');
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider value={{ locale, languageTag, t: translator(locale) }}>
      <App />
    </I18nProvider>
  </StrictMode>,
);
