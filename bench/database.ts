import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../server/db/index.ts';

/**
 * The database a benchmark runs on: PostgreSQL when DATABASE_URL is set, in a throwaway schema dropped by
 * `dispose()`, else an in-memory PGlite. Says which on stdout.
 */
export async function openBenchDatabase(prefix: string): Promise<{ database: DatabaseHandle; dispose(): Promise<void> }> {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const schema = databaseUrl ? `${prefix}_${randomBytes(4).toString('hex')}` : undefined;
  const database = await openDatabase(databaseUrl ? { databaseUrl, schema, poolSize: 16 } : { dataDir: 'memory://' });
  console.log(`database: ${database.engine}${schema ? ` (schema ${schema}, dropped at the end)` : ' (in memory)'}`);
  return {
    database,
    async dispose() {
      await database.close();
      if (!databaseUrl || !schema) return;
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}
