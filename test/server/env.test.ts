import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { authenticate } from '../../server/auth/tokens.ts';
import { EnvError, parseEnv } from '../../server/env.ts';
import { startServer } from '../../server/http/server.ts';
import { createContextInner } from '../../server/trpc/context.ts';
import { appRouter } from '../../server/routers/_app.ts';
import { createCallerFactory } from '../../server/trpc/procedures.ts';

const run = promisify(execFile);

describe('environment', () => {
  it('has working defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ HOST: '127.0.0.1', PORT: 3000, DATA_DIR: '.data/pglite', LOG_LEVEL: 'info' });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('coerces and accepts valid values, treating empty ones as unset', () => {
    const env = parseEnv({ PORT: '8080', DATABASE_URL: 'postgres://u@h:5432/db', LOG_LEVEL: 'warn', DATA_DIR: '' });
    expect(env).toMatchObject({ PORT: 8080, DATABASE_URL: 'postgres://u@h:5432/db', LOG_LEVEL: 'warn', DATA_DIR: '.data/pglite' });
  });

  it('names every bad variable with its value and what was expected', () => {
    let error: unknown;
    try {
      parseEnv({ PORT: '99999', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as Error).message;
    expect(message).toContain('PORT="99999"');
    expect(message).toContain('DATABASE_URL="mysql://x": expected a postgres:// or postgresql:// URL');
    expect(message).toContain('LOG_LEVEL="loud"');
  });

  it('stops the server process with that message and exit code 1', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', DATA_DIR: 'memory://' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Invalid environment');
    expect(result.stderr).toContain('PORT="not-a-port"');
    expect(result.stderr).not.toContain('    at ');
  });
});

describe('PGlite data directory', () => {
  it('keeps the data across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pglite-'));
    try {
      const env = { PORT: 0, DATA_DIR: dir, LOG_LEVEL: 'silent', DATABASE_URL: '' };
      const first = await startServer({ env, logger: false });
      const caller = createCallerFactory(appRouter)(createContextInner({ db: first.database.db, bus: first.bus }));
      const { shopperId, token } = await caller.identity.createShopper();
      await first.close();

      const second = await startServer({ env, logger: false });
      expect(second.database.engine).toBe('pglite');
      // Read the row itself: authenticate() may answer from its in-process cache.
      const row = await second.database.db.selectFrom('shopper').select('id').where('id', '=', shopperId).executeTakeFirst();
      expect(row?.id).toBe(shopperId);
      expect(await authenticate(second.database.db, token)).toEqual({ role: 'shopper', shopperId });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
