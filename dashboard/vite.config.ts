import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The organisers' and suppliers' dashboard: a plain React single-page app, built to dist/dashboard and
 * served by the tRPC server (server/http/dashboard.ts) on the same origin, so it calls /trpc without CORS.
 * Vite transforms JSX itself (tsconfig's "react-jsx"): no plugin needed.
 */
const root = resolve(import.meta.dirname);

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  build: {
    outDir: resolve(root, '../dist/dashboard'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    // `npx vite --config dashboard/vite.config.ts` during development, against `npm run server` on :3000.
    proxy: { '/trpc': 'http://127.0.0.1:3000', '/handoff': 'http://127.0.0.1:3000' },
  },
});
