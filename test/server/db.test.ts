import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrateToLatest } from '../../server/db/index.ts';
import { prepareStatements } from '../../server/db/prepared.ts';
import { ENGINES, TEST_DATABASE_URL, useTestDatabase } from './helpers.ts';

describe.each(ENGINES)('database layer on %s', (engine) => {
  const t = useTestDatabase(engine);

  it('has applied every migration and a second run applies none', async () => {
    expect(await migrateToLatest(t.handle.db)).toEqual([]);
    const tables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables where table_schema = current_schema()
    `.execute(t.handle.db);
    const names = tables.rows.map((r) => r.name);
    for (const table of ['shopper', 'organiser', 'product', 'listing', 'observation', 'intent', 'pool', 'event']) {
      expect(names).toContain(table);
    }
  });

  it('returns counts and bigints as numbers and numerics as strings on both drivers', async () => {
    const row = await sql<{ n: number; big: number; price: string }>`
      select count(*) as n, 9007199254740::int8 as big, 12.50::numeric as price from generate_series(1, 3)
    `.execute(t.handle.db);
    expect(row.rows[0]).toEqual({ n: 3, big: 9007199254740, price: '12.50' });
  });

  it('does not run a query issued during a transaction inside that transaction', async () => {
    const { db } = t.handle;
    await db.insertInto('shopper').values({ token_hash: 'outside-check' }).execute();
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const tx = db
      .transaction()
      .execute(async (trx) => {
        await trx.deleteFrom('shopper').where('token_hash', '=', 'outside-check').execute();
        await hold;
        throw new Error('roll back');
      })
      .catch((e: Error) => e.message);
    // Issued while the transaction is open: it must wait for it, and see the row after the rollback.
    const outside = db.selectFrom('shopper').select('id').where('token_hash', '=', 'outside-check').execute();
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await tx).toBe('roll back');
    expect(await outside).toHaveLength(1);
  });

  it('delivers a NOTIFY to a listener once the transaction commits', async () => {
    const received: string[] = [];
    const stop = await t.handle.listen('test_channel', (p) => received.push(p));
    const channel = t.handle.channel('test_channel');
    await t.handle.db.transaction().execute(async (trx) => {
      await sql`select pg_notify(${channel}, 'hello')`.execute(trx);
    });
    for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(received).toEqual(['hello']);
  });
});

// PostgreSQL only (PGlite has no connection pool): statements with parameters are prepared once per connection,
// and a connection never keeps more than its capacity of them.
describe.runIf(Boolean(TEST_DATABASE_URL))('prepared statements on PostgreSQL', () => {
  it('prepares each statement once per connection, answers right, and deallocates the least recently used', async () => {
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    prepareStatements(pool, 2);
    const prepared = async () =>
      (await pool.query<{ statement: string }>('select statement from pg_prepared_statements order by prepare_time')).rows.map(
        (row) => row.statement,
      );
    try {
      expect((await pool.query('select $1::int + 1 as n', [1])).rows).toEqual([{ n: 2 }]);
      expect((await pool.query('select $1::int + 1 as n', [41])).rows).toEqual([{ n: 42 }]);
      expect(await prepared()).toEqual(['select $1::int + 1 as n']);
      await pool.query('select $1::text as s', ['a']);
      // The first is used again: the second is now the least recently used, and goes when a third comes.
      await pool.query('select $1::int + 1 as n', [2]);
      expect((await pool.query('select $1::int * 2 as m', [21])).rows).toEqual([{ m: 42 }]);
      expect((await prepared()).sort()).toEqual(['select $1::int * 2 as m', 'select $1::int + 1 as n']);
      // The deallocated statement is prepared again (under a new name) when it comes back.
      expect((await pool.query('select $1::text as s', ['b'])).rows).toEqual([{ s: 'b' }]);
      expect(await prepared()).toHaveLength(2);
    } finally {
      await pool.end();
    }
  });
});
