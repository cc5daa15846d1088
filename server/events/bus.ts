import { EventEmitter } from 'node:events';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseHandle } from '../db/index.ts';
import type { Database } from '../db/schema.ts';

/**
 * The event bus. Writers append events to the `event` table inside their own transaction (so an event
 * exists exactly when the change that caused it commits). Every server process follows that table and
 * hands new rows to its own subscribers; a NOTIFY after the commit wakes the followers at once, and a
 * slow poll covers a missed wake-up. That is how several processes on one PostgreSQL deliver the same
 * events (PGlite delivers its notifications in-process).
 *
 * Why not NOTIFY inside the writer's transaction: PostgreSQL serialises the commits of notifying
 * transactions on one lock held across the WAL flush, which caps writes at one per disk flush. Here the
 * wake-up is sent after commit, coalesced, and without waiting for a flush (losing one is harmless).
 *
 * Identity ids are handed out before commit, so a row can appear after a larger id was already seen; the
 * follower remembers such gaps for a while and picks the late rows up when they commit.
 */

export interface BusEvent<T = unknown> {
  id: number;
  topic: string;
  type: string;
  payload: T;
  createdAt: string;
}

const CHANNEL = 'event';
const REPLAY_LIMIT = 1000;
const READ_BATCH = 1000;
/** How long an id skipped by the sequence is waited for (a transaction still running when we read). */
const GAP_WAIT_MS = 10_000;
const POLL_MS = 1000;
/**
 * Under a stream of writes, wake-ups and reads come back to back: one NOTIFY and one read per write would
 * double the database's work. Spaced by these, each carries every write of its interval (a few ms of delay).
 */
const ANNOUNCE_GAP_MS = 10;
const READ_GAP_MS = 5;
/** How often old events are deleted. */
const PRUNE_MS = 60 * 60 * 1000;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Executor = Kysely<Database> | Transaction<Database>;
type Row = { id: number; topic: string; type: string; payload: unknown; created_at: Date };

/** Appends an event inside `trx`. Subscribers receive it once the transaction commits. */
export async function publish(trx: Executor, topic: string, type: string, payload: unknown): Promise<number> {
  const row = await trx
    .insertInto('event')
    .values({ topic, type, payload: JSON.stringify(payload) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface SubscribeOptions {
  /** Resume after this event id (from tracked() / Last-Event-ID). */
  lastEventId?: number | undefined;
  signal?: AbortSignal | undefined;
}

export class EventBus {
  readonly #handle: DatabaseHandle;
  readonly #emitter = new EventEmitter();
  #stopListening: (() => Promise<void>) | null = null;
  #poll: NodeJS.Timeout | null = null;
  #last = 0;
  /** Ids skipped by the sequence, and since when: they may still commit. */
  readonly #gaps = new Map<number, number>();
  #reading: Promise<void> | null = null;
  #again = false;
  #announcing = false;
  #announceAgain = false;
  #started = false;

  readonly #retentionDays: number | null;
  #prune: NodeJS.Timeout | null = null;

  /** `retentionDays`: delete older events hourly (none are deleted without it). */
  constructor(handle: DatabaseHandle, options: { retentionDays?: number } = {}) {
    this.#handle = handle;
    this.#retentionDays = options.retentionDays ?? null;
    // Thousands of SSE subscribers may wait on one topic.
    this.#emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const max = await this.#handle.db.selectFrom('event').select(sql<number>`coalesce(max(id), 0)::int8`.as('id')).executeTakeFirstOrThrow();
    this.#last = Number(max.id);
    this.#stopListening = await this.#handle.listen(CHANNEL, () => this.wake());
    this.#poll = setInterval(() => this.wake(), POLL_MS);
    this.#poll.unref();
    if (this.#retentionDays !== null) {
      const prune = () => void this.prune().catch(() => {});
      prune();
      this.#prune = setInterval(prune, PRUNE_MS);
      this.#prune.unref();
    }
  }

  /**
   * Deletes events older than the retention (every process may run it: the delete is idempotent). Returns
   * how many went. The table would otherwise grow with every intent for ever.
   */
  async prune(retentionDays = this.#retentionDays): Promise<number> {
    if (retentionDays === null) return 0;
    const result = await this.#handle.db
      .deleteFrom('event')
      .where('created_at', '<', sql<Date>`now() - make_interval(days => ${retentionDays}::int)`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async stop(): Promise<void> {
    this.#started = false;
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    if (this.#prune) clearInterval(this.#prune);
    this.#prune = null;
    await this.#stopListening?.();
    this.#stopListening = null;
    await this.#reading?.catch(() => {});
    this.#emitter.removeAllListeners();
  }

  publish(trx: Executor, topic: string, type: string, payload: unknown): Promise<number> {
    return publish(trx, topic, type, payload);
  }

  /**
   * Runs `fn` in a transaction, then announces the events it published to every process. Writers use this
   * (or call announce() after their own commit); the poll catches any that do not.
   */
  async transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    const result = await this.#handle.db.transaction().execute(fn);
    this.announce();
    return result;
  }

  /** Wakes this process's follower now, and the others through NOTIFY (coalesced, never awaited). */
  announce(): void {
    this.wake();
    if (this.#announcing) {
      this.#announceAgain = true;
      return;
    }
    this.#announcing = true;
    const channel = this.#handle.channel(CHANNEL);
    const send = async () => {
      for (let first = true; first || (this.#announceAgain && this.#started); first = false) {
        if (!first) await pause(ANNOUNCE_GAP_MS);
        this.#announceAgain = false;
        // One statement, its own transaction. A lost wake-up costs at most one poll interval, so the commit
        // need not wait for the disk: set_config(..., true) applies to this statement's transaction only.
        await sql`select set_config('synchronous_commit', 'off', true), pg_notify(${channel}, '')`.execute(this.#handle.db);
      }
    };
    send()
      .catch(() => {})
      .finally(() => {
        this.#announcing = false;
      });
  }

  /** Reads what was committed since the last read and hands it to subscribers. */
  wake(): void {
    if (!this.#started) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = (async () => {
      try {
        for (let first = true; first || (this.#again && this.#started); first = false) {
          if (!first) await pause(READ_GAP_MS);
          this.#again = false;
          await this.#readOnce();
        }
      } catch {
        // The database is unreachable for a moment: the next wake-up or poll tries again.
      } finally {
        this.#reading = null;
      }
    })();
  }

  async #readOnce(): Promise<void> {
    const now = Date.now();
    for (const [id, since] of this.#gaps) if (now - since > GAP_WAIT_MS) this.#gaps.delete(id);
    const gaps = [...this.#gaps.keys()];
    let full = true;
    while (full) {
      const rows: Row[] = await this.#handle.db
        .selectFrom('event')
        .selectAll()
        .where((eb) => (gaps.length > 0 ? eb.or([eb('id', '>', this.#last), eb('id', 'in', gaps)]) : eb('id', '>', this.#last)))
        .orderBy('id')
        .limit(READ_BATCH)
        .execute();
      full = rows.length === READ_BATCH;
      for (const row of rows) {
        if (row.id > this.#last) {
          // A jump larger than any plausible number of transactions in flight is not worth waiting for.
          if (row.id - this.#last <= 10_000) {
            for (let missing = this.#last + 1; missing < row.id; missing++) this.#gaps.set(missing, now);
          }
          this.#last = row.id;
        } else if (this.#gaps.has(row.id)) {
          this.#gaps.delete(row.id);
        } else {
          continue;
        }
        const event = toBusEvent(row);
        this.#emitter.emit(event.topic, event);
        this.#emitter.emit('*', event);
      }
      gaps.length = 0;
    }
  }

  /**
   * Events on `topic` ('*' for all) as they commit, after replaying those that followed `lastEventId`.
   * Ends when `signal` aborts or the consumer stops iterating.
   */
  async *subscribe(topic: string, options: SubscribeOptions = {}): AsyncGenerator<BusEvent> {
    const { signal } = options;
    const queue: BusEvent[] = [];
    let wake: (() => void) | null = null;
    // The follower may still be handing over rows older than the resume point: those were asked not to come.
    const after = options.lastEventId ?? -Infinity;
    const onEvent = (event: BusEvent) => {
      if (event.id <= after) return;
      queue.push(event);
      wake?.();
    };
    const onAbort = () => wake?.();
    // Listen before replaying, so nothing committed in between is missed; replayed ones are not sent twice.
    this.#emitter.on(topic, onEvent);
    signal?.addEventListener('abort', onAbort);
    try {
      const replayed = new Set<number>();
      if (options.lastEventId !== undefined) {
        let replay = this.#handle.db
          .selectFrom('event')
          .selectAll()
          .where('id', '>', options.lastEventId)
          .orderBy('id')
          .limit(REPLAY_LIMIT);
        if (topic !== '*') replay = replay.where('topic', '=', topic);
        for (const row of await replay.execute()) {
          if (signal?.aborted) return;
          replayed.add(row.id);
          yield toBusEvent(row);
        }
      }
      while (!signal?.aborted) {
        const event = queue.shift();
        if (!event) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        if (replayed.delete(event.id)) continue;
        yield event;
      }
    } finally {
      this.#emitter.off(topic, onEvent);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The callback form of subscribe(), for the SSE writer (server/http/sse.ts): the same replay-then-live order
   * without duplicates, but no async iteration, queue or promise per event, which is what 10,000 open
   * streams spend their time on when one deal notifies them all at once. `onEvent` runs synchronously in
   * the follower's loop and must not throw. `ready` settles once the replay has been handed over (it
   * rejects if the replay query fails; following has then stopped). Call `stop()` when the stream ends.
   */
  follow(topic: string, options: { lastEventId?: number | undefined }, onEvent: (event: BusEvent) => void): { ready: Promise<void>; stop: () => void } {
    let stopped = false;
    // Live events that arrive while the replay query runs wait here, so they are handed over after it.
    let held: BusEvent[] | null = options.lastEventId !== undefined ? [] : null;
    const replayed = new Set<number>();
    const after = options.lastEventId ?? -Infinity;
    const listener = (event: BusEvent) => {
      if (event.id <= after) return;
      if (held) held.push(event);
      else if (replayed.size === 0 || !replayed.delete(event.id)) onEvent(event);
    };
    this.#emitter.on(topic, listener);
    const stop = () => {
      if (stopped) return;
      stopped = true;
      this.#emitter.off(topic, listener);
    };
    const ready = (async () => {
      if (options.lastEventId === undefined) return;
      try {
        let replay = this.#handle.db.selectFrom('event').selectAll().where('id', '>', options.lastEventId).orderBy('id').limit(REPLAY_LIMIT);
        if (topic !== '*') replay = replay.where('topic', '=', topic);
        for (const row of await replay.execute()) {
          if (stopped) return;
          replayed.add(row.id);
          onEvent(toBusEvent(row));
        }
        const pending = held ?? [];
        held = null;
        for (const event of pending) if (!stopped) listener(event);
      } catch (error) {
        stop();
        throw error;
      }
    })();
    return { ready, stop };
  }

  /** How many subscribers are waiting (for tests and health). */
  listenerCount(topic: string): number {
    return this.#emitter.listenerCount(topic);
  }
}

function toBusEvent(row: Row): BusEvent {
  return { id: row.id, topic: row.topic, type: row.type, payload: row.payload, createdAt: row.created_at.toISOString() };
}
