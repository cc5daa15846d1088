import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../server/db/index.ts';
import { ENGINES, useTestDatabase } from './helpers.ts';

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
