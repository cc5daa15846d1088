import type { FastifyInstance } from 'fastify';

/**
 * CORS for the browser extension: its background (origin `chrome-extension://ID` or `moz-extension://ID`)
 * calls the server with fetch, and without broad host permissions the browser enforces CORS on those calls.
 * Only extension origins are answered; web pages still get no CORS headers, so a site cannot use a shopper's
 * token through their browser (the token lives in the extension and is sent as a header, never a cookie).
 */
const EXTENSION_ORIGIN = /^(chrome|moz|safari-web)-extension:\/\/[a-z0-9-]{1,64}$/i;

export function registerExtensionCors(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !EXTENSION_ORIGIN.test(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    if (request.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'GET, POST, OPTIONS');
      reply.header('access-control-allow-headers', 'authorization, content-type, trpc-accept, last-event-id, cache-control');
      reply.header('access-control-max-age', '600');
      await reply.code(204).send();
    }
  });
}
