import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { translator } from '../../core/i18n/index.ts';
import { I18nProvider } from '../../components/I18n.tsx';
import { chosenLocale } from '../../components/locale-setting.ts';
import { readPopupStart } from '../../components/popup-start.ts';
import { App } from './App.tsx';
import './style.css';

// The local reads start first, so that they run while React sets up; the first render waits for them.
const start = readPopupStart();
const { locale, languageTag } = chosenLocale();
document.documentElement.lang = locale;
document.title = translator(locale)('popupTitle');
const root = createRoot(document.getElementById('root')!);
void start.then((first) =>
  root.render(
    <StrictMode>
      <I18nProvider value={{ locale, languageTag, t: translator(locale) }}>
        <App start={first} />
      </I18nProvider>
    </StrictMode>,
  ),
);
