import { ShopperNotice } from '../core/shopper-deal.ts';
import type { ExtensionDB } from './db.ts';
import type { ServerClient } from './server-client.ts';
import { readSettings, writeSettings } from './settings.ts';

/**
 * The live stream: the shopper's notices (`events.shopper`) while the service worker runs. It resumes from
 * the last event id it stored, and listens again after the server ended or refused it, later and later.
 */

/** Listening again after the server ended the subscription: 2 s, then doubling, at most 5 minutes. */
const LISTEN_RETRY_FIRST_MS = 2_000;
const LISTEN_RETRY_MAX_MS = 5 * 60_000;

export interface LiveStreamDeps {
  db: ExtensionDB;
  server: Pick<ServerClient, 'hasIdentity' | 'trpc'>;
  /** A notice arrived, checked against the contract (core/shopper-deal.ts). */
  onNotice?: (notice: ShopperNotice) => Promise<void>;
}

export class LiveStream {
  readonly #deps: LiveStreamDeps;
  #subscription: { key: string; unsubscribe(): void } | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Subscriptions that ended in a row without starting again (the delay before the next doubles). */
  #failures = 0;

  constructor(deps: LiveStreamDeps) {
    this.#deps = deps;
  }

  /** Listens, unless already listening with the current identity (nothing without one). */
  async listen(): Promise<void> {
    if (!(await this.#deps.server.hasIdentity())) return;
    const settings = await readSettings(this.#deps.db);
    const key = `${settings.identity!.serverUrl} ${settings.identity!.token}`;
    if (this.#subscription?.key === key) return;
    this.#subscription?.unsubscribe();
    const client = await this.#deps.server.trpc();
    const input = settings.lastEventId ? { lastEventId: settings.lastEventId } : {};
    // The link reconnects by itself after a network error. It gives up on a refusal (the server answered the
    // subscription with an error) or when the stream ends: then listen again, later and later, instead of
    // staying deaf until the service worker restarts.
    const ended = () => {
      if (this.#subscription?.key !== key) return;
      this.#subscription = null;
      const delay = Math.min(LISTEN_RETRY_MAX_MS, LISTEN_RETRY_FIRST_MS * 2 ** this.#failures++);
      this.#retryTimer = setTimeout(() => void this.listen().catch(() => undefined), delay);
    };
    const subscription = client.events.shopper.subscribe(input, {
      onStarted: () => {
        this.#failures = 0;
      },
      onData: (data) => void this.#received(data),
      onError: ended,
      onComplete: ended,
    });
    this.#subscription = { key, unsubscribe: () => subscription.unsubscribe() };
  }

  /** Stops listening (the server or the identity changed, or a test ends). */
  stop(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }

  async #received(data: unknown): Promise<void> {
    // Tracked events arrive as { id, data }.
    const envelope = data as { id?: unknown; data?: unknown };
    const payload = envelope && typeof envelope === 'object' && 'data' in envelope ? envelope.data : data;
    if (typeof envelope?.id === 'string') await writeSettings(this.#deps.db, { lastEventId: envelope.id });
    // The one check of a notice, as it enters the extension; one the contract does not know is skipped.
    const parsed = ShopperNotice.safeParse(payload);
    if (parsed.success) await this.#deps.onNotice?.(parsed.data);
  }
}
