import { fileURLToPath } from 'node:url';
import { defineConfig } from 'wxt';

// The extension's manifest and build. Permissions are the minimum the features use: `storage` for the per-tab
// product (storage.session), `alarms` (scheduled refresh, outbox retries), `notifications` (deal alerts).
// No `tabs` and no host permissions: the popup reads the active tab's id only, the server is reached through
// its CORS answer for the extension's origin (server/http/cors.ts),
// and the content script matches every http(s) page because detection must work on shops it has never seen;
// it has no network access of its own (see entrypoints/content.ts).
export default defineConfig({
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill'],
  imports: false,
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    permissions: ['storage', 'alarms', 'notifications'],
    action: { default_title: '__MSG_extName__' },
    // Firefox needs a stable id for storage to persist; 115 is the first with storage.session.
    ...(browser === 'firefox' && {
      browser_specific_settings: { gecko: { id: 'group-buy@example.org', strict_min_version: '115.0' } },
    }),
  }),
  hooks: {
    // The content script must stay within 40 KB. It only calls runtime.sendMessage, which returns a promise
    // natively in Chrome MV3 and Firefox, so it skips webextension-polyfill (10 KB) and uses WXT's plain
    // `browser`; the background and popup keep the polyfill.
    'vite:build:extendConfig': (entrypoints, config) => {
      if (!entrypoints.every((entrypoint) => entrypoint.type === 'content-script')) return;
      const plainBrowser = fileURLToPath(import.meta.resolve('wxt/browser'));
      const others = Object.entries(config.resolve?.alias ?? {}).filter(([find]) => find !== 'wxt/browser');
      config.resolve = { ...config.resolve, alias: { ...Object.fromEntries(others), 'wxt/browser': plainBrowser } };
    },
  },
});
