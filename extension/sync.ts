import type { ShopperNotice } from '../core/shopper-deal.ts';
import { CatchUp } from './catch-up.ts';
import type { ExtensionDB } from './db.ts';
import { LiveStream } from './live-stream.ts';
import { Outbox } from './outbox.ts';
import type { DealRow } from './records.ts';
import { ServerClient } from './server-client.ts';

/**
 * The extension's link with the server, one part per role:
 * - server-client.ts: the identity, the tRPC client and the calls that need the server now;
 * - outbox.ts: the shopper's intents, local first, delivered exactly once with retries and backoff;
 * - live-stream.ts: the shopper's notices while the service worker runs;
 * - catch-up.ts: the one order in which they catch up with the server (deliver, read, listen).
 */

export interface SyncDeps {
  db: ExtensionDB;
  languageTag: () => string;
  now?: () => number;
  fetch?: typeof fetch;
  /** Asks to be woken at `when` (epoch ms) to retry the outbox: an alarm in the background. */
  scheduleRetry?: (when: number) => void;
  /** The deals changed (read back, answered): notifications and badge follow. */
  onDeals?: (before: Map<string, DealRow>, after: DealRow[]) => Promise<void>;
  /** A notice arrived on the live stream: tell the shopper. */
  onNotice?: (notice: ShopperNotice) => Promise<void>;
}

export interface Sync {
  server: ServerClient;
  outbox: Outbox;
  stream: LiveStream;
  catchUp: CatchUp;
}

export function createSync(deps: SyncDeps): Sync {
  const { db, languageTag, now, fetch } = deps;
  const server = new ServerClient({ db, languageTag, now, fetch, onDeals: deps.onDeals });
  const outbox = new Outbox({ db, server, languageTag, now, scheduleRetry: deps.scheduleRetry });
  const stream = new LiveStream({
    db,
    server,
    onNotice: async (notice) => {
      await deps.onNotice?.(notice);
      // A notice about a deal means the deal changed: read it back (the notices and the badge follow from it).
      if (notice.dealId) await catchUp.run('notice').catch(() => undefined);
    },
  });
  const catchUp = new CatchUp({ outbox, server, stream });
  return { server, outbox, stream, catchUp };
}
