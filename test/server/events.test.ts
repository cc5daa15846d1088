import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/index.ts';
import { EventBus, type BusEvent } from '../../server/events/bus.ts';
import { ENGINES, TEST_DATABASE_URL, useTestDatabase } from './helpers.ts';

async function take(iterator: AsyncIterator<BusEvent>, count: number, timeoutMs = 5000): Promise<BusEvent[]> {
  const events: BusEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))),
    ]);
    if (next === 'timeout') throw new Error(`received ${events.length} of ${count} events`);
    if (next.done) break;
    events.push(next.value);
  }
  return events;
}

describe.each(ENGINES)('event bus on %s', (engine) => {
  const t = useTestDatabase(engine);

  it('delivers an event published by one server process to the subscribers of another', async () => {
    // A second process is a second handle and bus on the same database (on PostgreSQL, its own connections).
    const other = engine === 'postgresql' ? await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema: t.schema }) : t.handle;
    const writer = new EventBus(t.handle);
    const reader = new EventBus(other);
    await writer.start();
    await reader.start();
    try {
      const topic = `pool:test-${Date.now()}`;
      const iterator = reader.subscribe(topic)[Symbol.asyncIterator]();
      const first = iterator.next();
      await writer.transaction((trx) => writer.publish(trx, topic, 'pool.changed', { n: 1 }));
      await writer.transaction((trx) => writer.publish(trx, topic, 'pool.changed', { n: 2 }));
      const events = [(await first).value as BusEvent, ...(await take(iterator, 1))];
      expect(events.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }]);
      expect(events[1]!.id).toBeGreaterThan(events[0]!.id);
      await iterator.return?.(undefined);
      // A rolled-back transaction publishes nothing.
      const again = reader.subscribe(topic)[Symbol.asyncIterator]();
      const pending = again.next();
      await writer
        .transaction(async (trx) => {
          await writer.publish(trx, topic, 'pool.changed', { n: 'rolled back' });
          throw new Error('abort');
        })
        .catch(() => {});
      await writer.transaction((trx) => writer.publish(trx, topic, 'pool.changed', { n: 3 }));
      expect(((await pending).value as BusEvent).payload).toEqual({ n: 3 });
      await again.return?.(undefined);
    } finally {
      await writer.stop();
      await reader.stop();
      if (other !== t.handle) await other.close();
    }
  });

  it('deletes events older than the retention, and only those', async () => {
    const bus = new EventBus(t.handle, { retentionDays: 30 });
    const topic = `prune-${Date.now()}`;
    const { db } = t.handle;
    const ages = [45, 31, 29, 0];
    await db
      .insertInto('event')
      .values(ages.map((days) => ({ topic, type: 'test', payload: JSON.stringify({ days }), created_at: sql<Date>`now() - make_interval(days => ${days}::int)` })))
      .execute();
    expect(await bus.prune()).toBeGreaterThanOrEqual(2);
    const left = await db.selectFrom('event').select('payload').where('topic', '=', topic).orderBy('id').execute();
    expect(left.map((row) => (row.payload as { days: number }).days)).toEqual([29, 0]);
    expect(await new EventBus(t.handle).prune()).toBe(0);
  });

  it.runIf(engine === 'postgresql')('delivers an event that commits after a later one (sequence gap)', async () => {
    const bus = new EventBus(t.handle);
    await bus.start();
    try {
      const topic = `pool:gap-${Date.now()}`;
      const iterator = bus.subscribe(topic)[Symbol.asyncIterator]();
      let release!: () => void;
      const hold = new Promise<void>((resolve) => (release = resolve));
      let inserted!: () => void;
      const isInserted = new Promise<void>((resolve) => (inserted = resolve));
      // The slow transaction takes the smaller id and commits last.
      const slow = bus.transaction(async (trx) => {
        await bus.publish(trx, topic, 'pool.changed', { n: 'slow' });
        inserted();
        await hold;
      });
      await isInserted;
      await bus.transaction((trx) => bus.publish(trx, topic, 'pool.changed', { n: 'fast' }));
      const [fast] = await take(iterator, 1);
      expect(fast!.payload).toEqual({ n: 'fast' });
      release();
      await slow;
      const [late] = await take(iterator, 1);
      expect(late!.payload).toEqual({ n: 'slow' });
      expect(late!.id).toBeLessThan(fast!.id);
      await iterator.return?.(undefined);
    } finally {
      await bus.stop();
    }
  });
});
