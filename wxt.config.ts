import { defineConfig } from 'wxt';

// The extension's manifest and build. Permissions are the minimum the features need:
// `storage` for settings, `alarms` for scheduled sync, `notifications` for deal alerts.
// The content script matches every http(s) page because detection must work on shops it has never seen;
// it has no network access of its own (see entrypoints/content.ts).
export default defineConfig({
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill'],
  imports: false,
  manifest: {
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage', 'alarms', 'notifications'],
    action: { default_title: '__MSG_extName__' },
  },
});
