import { EventEmitter } from 'node:events';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseHandle } from './db/index.ts';
import type { Database } from './db/schema.ts';

/**
 * The event bus. An event is appended to the `event` table and announced with NOTIFY in the writer's
 * transaction, so it exists exactly when the change that caused it commits. Every server process LISTENs
 * and hands events to its own subscribers; that is how several processes on one PostgreSQL deliver the
 * same events (PGlite delivers its notifications in-process). A subscriber that reconnects gives the last
 * id it saw and is replayed what followed from the table.
 */

export interface BusEvent<T = unknown> {
  id: number;
  topic: string;
  type: string;
  payload: T;
  createdAt: string;
}

const CHANNEL = 'event';
/** NOTIFY payloads must stay under 8000 bytes: larger events are announced by id and read from the table. */
const MAX_INLINE = 7000;
const REPLAY_LIMIT = 1000;

type Executor = Kysely<Database> | Transaction<Database>;

/** Appends an event inside `trx` and announces it on commit. Returns its id. */
export async function publish(
  trx: Executor,
  channel: string,
  topic: string,
  type: string,
  payload: unknown,
): Promise<number> {
  const json = JSON.stringify(payload);
  // One statement: insert and notify (the notification is held back until the transaction commits).
  const result = await sql<{ id: number }>`
    with e as (
      insert into event (topic, type, payload) values (${topic}, ${type}, ${json}::jsonb)
      returning id, topic, type, payload, created_at
    )
    select id, pg_notify(${channel}, case when length(${json}::text) <= ${MAX_INLINE}
      then json_build_object('id', id, 'topic', topic, 'type', type, 'payload', payload,
        'createdAt', to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text
      else json_build_object('id', id, 'topic', topic, 'ref', true)::text end) as notified
    from e
  `.execute(trx);
  return result.rows[0]!.id;
}

export interface SubscribeOptions {
  /** Resume after this event id (from tracked() / Last-Event-ID). */
  lastEventId?: number | undefined;
  signal?: AbortSignal | undefined;
}

export class EventBus {
  readonly #handle: DatabaseHandle;
  readonly #emitter = new EventEmitter();
  #stop: (() => Promise<void>) | null = null;

  constructor(handle: DatabaseHandle) {
    this.#handle = handle;
    // Thousands of SSE subscribers may wait on one topic.
    this.#emitter.setMaxListeners(0);
  }

  /** The channel name writers pass to publish(). */
  get channel(): string {
    return this.#handle.channel(CHANNEL);
  }

  async start(): Promise<void> {
    if (this.#stop) return;
    this.#stop = await this.#handle.listen(CHANNEL, (payload) => void this.#receive(payload));
  }

  async stop(): Promise<void> {
    await this.#stop?.();
    this.#stop = null;
    this.#emitter.removeAllListeners();
  }

  publish(trx: Executor, topic: string, type: string, payload: unknown): Promise<number> {
    return publish(trx, this.channel, topic, type, payload);
  }

  async #receive(raw: string): Promise<void> {
    let event: BusEvent & { ref?: boolean };
    try {
      event = JSON.parse(raw) as BusEvent & { ref?: boolean };
    } catch {
      return;
    }
    if (event.ref) {
      const row = await this.#handle.db.selectFrom('event').selectAll().where('id', '=', event.id).executeTakeFirst();
      if (!row) return;
      event = toBusEvent(row);
    }
    this.#emitter.emit(event.topic, event);
    this.#emitter.emit('*', event);
  }

  /**
   * Events on `topic` ('*' for all) as they commit, after replaying those that followed `lastEventId`.
   * Ends when `signal` aborts.
   */
  async *subscribe(topic: string, options: SubscribeOptions = {}): AsyncGenerator<BusEvent> {
    const { signal } = options;
    const queue: BusEvent[] = [];
    let wake: (() => void) | null = null;
    const onEvent = (event: BusEvent) => {
      queue.push(event);
      wake?.();
    };
    const onAbort = () => wake?.();
    // Listen before replaying, so nothing committed in between is missed; duplicates are skipped by id.
    this.#emitter.on(topic, onEvent);
    signal?.addEventListener('abort', onAbort);
    try {
      let last = options.lastEventId ?? 0;
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
          last = Math.max(last, row.id);
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
        if (event.id <= last && options.lastEventId !== undefined) continue;
        last = Math.max(last, event.id);
        yield event;
      }
    } finally {
      this.#emitter.off(topic, onEvent);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** How many subscribers are waiting (for tests and health). */
  listenerCount(topic: string): number {
    return this.#emitter.listenerCount(topic);
  }
}

function toBusEvent(row: { id: number; topic: string; type: string; payload: unknown; created_at: Date }): BusEvent {
  return { id: row.id, topic: row.topic, type: row.type, payload: row.payload, createdAt: row.created_at.toISOString() };
}
