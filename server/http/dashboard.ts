import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` (vite build --config dashboard/vite.config.ts) writes the dashboard. */
export const DASHBOARD_DIR = resolve(import.meta.dirname, '../../dist/dashboard');

/** Paths the server answers itself: never the dashboard's index.html. */
const SERVER_PATHS = /^\/(trpc|handoff|health)(\/|$|\?)/;

/**
 * Serves the built dashboard (organisers and suppliers) from the tRPC server's own origin: static files,
 * and index.html for the app's client routes (/pools/…, /campaigns/…, /supplier#token=…), so a reload
 * or a supplier's invitation link opens the right page. Returns false when there is no build.
 */
export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<boolean> {
  if (!existsSync(resolve(dir, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // Hashed file names under /assets never change; index.html must always be fresh.
    setHeaders(res, path) {
      res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const wantsPage = request.method === 'GET' && !SERVER_PATHS.test(path) && !/\.\w+$/.test(path);
    if (wantsPage) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    return reply.code(404).send({ error: 'Not found' });
  });
  return true;
}
