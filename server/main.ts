import { loadEnv } from './env.ts';
import { startServer } from './http/server.ts';

// `npm run server`: validate the environment (a bad value stops here), migrate, listen.
loadEnv();
const server = await startServer();
server.app.log.info({ url: server.url, database: server.database.engine }, `server listening on ${server.url}`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
