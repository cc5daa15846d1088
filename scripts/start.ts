import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadEnv } from '../server/env.ts';
import { DASHBOARD_DIR, registerDashboard } from '../server/http/dashboard.ts';
import { startServer } from '../server/http/server.ts';

/**
 * `npm start`: the whole product on one machine. Builds the extension and the dashboard, starts the server on
 * the embedded database (or on DATABASE_URL) serving the dashboard, and says where to load the extension.
 * Set SKIP_BUILD=1 to reuse the last build.
 */
const root = resolve(import.meta.dirname, '..');

function run(label: string, command: string, args: string[]): void {
  process.stdout.write(`• ${label}…\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`${label} failed (exit ${result.status ?? result.signal}).\n`);
    process.exit(1);
  }
}

const env = loadEnv();
if (process.env.SKIP_BUILD !== '1' || !existsSync(resolve(root, '.output/chrome-mv3/manifest.json'))) {
  run('Building the extension', 'npx', ['wxt', 'build']);
}
if (process.env.SKIP_BUILD !== '1' || !existsSync(resolve(DASHBOARD_DIR, 'index.html'))) {
  run('Building the dashboard', 'npx', ['vite', 'build', '--config', 'dashboard/vite.config.ts']);
}

const server = await startServer({ logger: env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace', configure: (app) => registerDashboard(app).then(() => {}) });
const where = server.database.engine === 'pglite' ? `embedded PGlite in ${resolve(root, env.DATA_DIR)}` : 'PostgreSQL (DATABASE_URL)';
process.stdout.write(
  [
    '',
    `Server:     ${server.url}  (tRPC at /trpc, health at /health; database: ${where})`,
    `Dashboard:  ${server.url}/  (organisers sign in there; suppliers open their invitation links)`,
    `Extension:  ${resolve(root, '.output/chrome-mv3')}`,
    '            Chromium/Chrome: open chrome://extensions, turn on Developer mode, "Load unpacked", pick that folder.',
    '            Firefox: npm run build:firefox, then about:debugging → "Load Temporary Add-on" → .output/firefox-mv2/manifest.json',
    '',
    'Ctrl+C stops the server.',
    '',
  ].join('\n'),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
