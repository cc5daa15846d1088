import { defineBackground } from 'wxt/utils/define-background';
import { startBackground } from '../extension/background.ts';
import { ExtensionDB } from '../extension/db.ts';
import { uiLocale } from '../extension/locale.ts';

export default defineBackground(() => {
  startBackground({ db: new ExtensionDB(), locale: uiLocale });
});
