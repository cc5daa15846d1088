import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle, type Engine } from '../../server/db/index.ts';

/**
 * The whole server suite runs on every engine available: PGlite always, PostgreSQL when
 * TEST_DATABASE_URL is set. Each test file gets its own database: one in-memory PGlite (a cold start
 * costs seconds, so one per file) and, on PostgreSQL, a fresh schema dropped at the end.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const ENGINES: Engine[] = TEST_DATABASE_URL ? ['pglite', 'postgresql'] : ['pglite'];

let sharedPGlite: Promise<PGlite> | null = null;

export interface TestDatabase {
  readonly handle: DatabaseHandle;
  readonly url: string | undefined;
  readonly schema: string | undefined;
}

/** Registers beforeAll/afterAll hooks; the handle is ready inside tests. One call per engine per file. */
export function useTestDatabase(engine: Engine): TestDatabase {
  let handle: DatabaseHandle | undefined;
  const schema = engine === 'postgresql' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  beforeAll(async () => {
    if (engine === 'pglite') {
      sharedPGlite ??= PGlite.create('memory://');
      handle = await openDatabase({ pglite: await sharedPGlite });
    } else {
      handle = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 8 });
    }
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
    if (engine === 'postgresql' && schema) {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  });
  return {
    get handle() {
      if (!handle) throw new Error('test database not ready (use it inside a test)');
      return handle;
    },
    url: TEST_DATABASE_URL,
    schema,
  };
}
