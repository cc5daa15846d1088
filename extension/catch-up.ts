import type { LiveStream } from './live-stream.ts';
import type { Outbox } from './outbox.ts';
import type { ServerClient } from './server-client.ts';

/**
 * The catch-up: the one place that brings the extension and the server level, always in the same order.
 *
 * 1. Deliver what the shopper did: the outbox (intents, exactly once, in order per intent), then the
 *    interests. Either may create the shopper's identity, because either is the shopper acting.
 * 2. Read what the server knows: the shopper's intents and deals (after delivery, so a read never races a
 *    change still on its way).
 * 3. Listen for what comes next (the live stream resumes from its last event id, so nothing between the
 *    read and the stream is lost).
 * A shopper without an identity has never acted: steps 2 and 3 then send nothing.
 *
 * Each step runs even when an earlier one failed (a refused interest must not leave the shopper deaf); the
 * first failure is reported once all have run. One catch-up runs at a time: those asked for meanwhile run
 * once after it, with every step any of them asked for.
 */

/** Why the background asks for a catch-up; each reason names the steps it needs. */
export type CatchUpReason =
  /** The service worker started. */
  | 'started'
  /** The popup opened on a product page: what waits is made due now. */
  | 'popup'
  /** The shopper joined (the outbox is already delivering). */
  | 'joined'
  /** Settings were saved: the server, the interests or the privacy choices may have changed. */
  | 'settings'
  /** The scheduled refresh (an alarm). */
  | 'alarm'
  /** An extension page asked (the confirmation view): everything, now. */
  | 'sync-now'
  /** A notice about a deal arrived: the deal changed. */
  | 'notice'
  /** The outbox's retry alarm. */
  | 'retry';

export interface CatchUpSteps {
  /** Make waiting operations due now rather than at their backoff time. */
  dueNow: boolean;
  /** Read the shopper's intents and deals back. */
  refresh: boolean;
  listen: boolean;
}

export const CATCH_UP_STEPS: Record<CatchUpReason, CatchUpSteps> = {
  started: { dueNow: false, refresh: true, listen: true },
  popup: { dueNow: true, refresh: true, listen: true },
  joined: { dueNow: false, refresh: false, listen: true },
  settings: { dueNow: false, refresh: false, listen: true },
  alarm: { dueNow: false, refresh: true, listen: true },
  'sync-now': { dueNow: true, refresh: true, listen: true },
  notice: { dueNow: false, refresh: true, listen: false },
  retry: { dueNow: false, refresh: false, listen: false },
};

export interface CatchUpParts {
  outbox: Pick<Outbox, 'flush' | 'retryNow'>;
  server: Pick<ServerClient, 'syncInterests' | 'hasIdentity' | 'refresh'>;
  stream: Pick<LiveStream, 'listen'>;
}

export class CatchUp {
  readonly #parts: CatchUpParts;
  #running: Promise<void> | null = null;
  #queued: { steps: CatchUpSteps; done: Promise<void> } | null = null;

  constructor(parts: CatchUpParts) {
    this.#parts = parts;
  }

  /** Runs the steps `reason` needs (after the running catch-up, if any); rejects with the first failure. */
  run(reason: CatchUpReason): Promise<void> {
    const steps = CATCH_UP_STEPS[reason];
    if (this.#queued) {
      const queued = this.#queued.steps;
      queued.dueNow ||= steps.dueNow;
      queued.refresh ||= steps.refresh;
      queued.listen ||= steps.listen;
      return this.#queued.done;
    }
    if (!this.#running) return this.#start({ ...steps });
    const queued = { steps: { ...steps }, done: Promise.resolve() };
    queued.done = this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = null;
        return this.#start(queued.steps);
      });
    this.#queued = queued;
    return queued.done;
  }

  #start(steps: CatchUpSteps): Promise<void> {
    const running = this.#steps(steps).finally(() => {
      if (this.#running === running) this.#running = null;
    });
    this.#running = running;
    return running;
  }

  async #steps(steps: CatchUpSteps): Promise<void> {
    const { outbox, server, stream } = this.#parts;
    const failures: unknown[] = [];
    const attempt = async (step: () => Promise<void>) => {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    };
    await attempt(() => (steps.dueNow ? outbox.retryNow() : outbox.flush()));
    await attempt(() => server.syncInterests());
    if (await server.hasIdentity()) {
      if (steps.refresh) await attempt(() => server.refresh());
      if (steps.listen) await attempt(() => stream.listen());
    }
    if (failures.length > 0) throw failures[0];
  }
}
