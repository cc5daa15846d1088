import { defineBackground } from 'wxt/utils/define-background';
import { startBackground } from '../extension/background.ts';
import { ExtensionDB } from '../extension/db.ts';
import { uiLocale } from '../extension/locale.ts';
import { readSettings } from '../extension/settings.ts';

export default defineBackground(() => {
  const db = new ExtensionDB();
  // The browser's language until the shopper's choice is read (a few milliseconds after start).
  let locale = uiLocale();
  const readLocale = async () => {
    locale = uiLocale((await readSettings(db)).locale);
  };
  void readLocale();
  startBackground({ db, locale: () => locale, onSettingsChanged: readLocale });
});
