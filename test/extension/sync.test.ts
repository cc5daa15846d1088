import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { ExtensionDB } from '../../extension/db.ts';
import { writeSettings } from '../../extension/settings.ts';
import { backoffMs } from '../../extension/outbox.ts';
import { createSync } from '../../extension/sync.ts';
import { startServer, type RunningServer } from '../../server/http/server.ts';
import { snapshot } from './snapshots.ts';
import { intentErrorText } from '../../components/format.ts';

// The outbox against the real server (tRPC over HTTP on PGlite), stopped and started again on the same port
// and data: what a shopper's extension meets when the server is down, then back.
describe('sync: the outbox delivers intents exactly once, the live stream hears notices', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'group-buy-sync-'));
  let server: RunningServer | null = null;
  let port = 0;
  const start = async () => {
    server = await startServer({ env: { PORT: port, HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', RATE_PER_SEC: 1000, RATE_BURST: 1000 }, logger: false });
    port = Number(new URL(server.url).port);
  };
  const stop = async () => {
    await server?.close();
    server = null;
  };
  const intentsOnServer = (id?: string) => {
    let query = server!.database.db.selectFrom('intent').selectAll();
    if (id) query = query.where('id', '=', id);
    return query.execute();
  };

  beforeAll(start, 60_000);
  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const shopper = async () => {
    const db = new ExtensionDB(`sync-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    await writeSettings(db, { serverUrl: `http://127.0.0.1:${port}` });
    return { db, sync: createSync({ db, languageTag: () => 'fr-FR' }) };
  };

  it('joins with the server down; the intent waits, then is delivered once when the server is back', { timeout: 60_000 }, async () => {
    const { db, sync } = await shopper();
    // An identity first (the shopper opened the popup once), so the server knows this shopper.
    await sync.server.identity();
    await stop();

    const intent = await sync.outbox.join({ snapshot: snapshot({ url: 'https://shop.example.fr/p/offline' }), quantity: 2, maxPrice: '1200', currency: 'EUR' });
    await sync.outbox.flush();
    const waiting = await db.intents.get(intent.id);
    expect(waiting).toMatchObject({ sync: 'pending', status: 'live' });
    expect(waiting!.lastError).toBeTruthy();
    const [op] = await db.outbox.toArray();
    expect(op).toMatchObject({ kind: 'register', attempts: 1 });
    expect(op!.nextAttemptAt).toBeGreaterThan(Date.now());
    sync.stream.stop();

    await start();
    await sync.outbox.retryNow();
    expect(await db.intents.get(intent.id)).toMatchObject({ sync: 'sent', region: 'FR', memberCount: 1, totalQuantity: 2 });
    expect(await db.outbox.count()).toBe(0);
    expect(await intentsOnServer(intent.id)).toHaveLength(1);

    // The answer was lost (the service worker stopped before writing it down): the same call goes again.
    await db.outbox.add({ intentId: intent.id, kind: 'register', attempts: 0, nextAttemptAt: 0, lastError: null, createdAt: Date.now() });
    await sync.outbox.flush();
    expect(await intentsOnServer(intent.id)).toHaveLength(1);
    const [row] = await intentsOnServer(intent.id);
    expect(row).toMatchObject({ quantity: 2, status: 'live' });
  });

  it('keeps each intent’s operations in order: join, edit and withdraw offline arrive as the shopper did them', { timeout: 60_000 }, async () => {
    const { db, sync } = await shopper();
    await sync.server.identity();
    await stop();
    const intent = await sync.outbox.join({ snapshot: snapshot({ url: 'https://shop.example.fr/p/ordered', gtin: null, mpn: 'ORD-1' }), quantity: 1, maxPrice: null, currency: 'EUR' });
    await sync.outbox.updateIntent(intent.id, { quantity: 3, maxPrice: '999.50' });
    await sync.outbox.updateIntent(intent.id, { quantity: 4, maxPrice: '999.50' });
    await sync.outbox.flush();
    // Two edits before delivery travel as one.
    expect((await db.outbox.toArray()).map((op) => op.kind)).toEqual(['register', 'update']);

    await start();
    await sync.outbox.retryNow();
    const [edited] = await intentsOnServer(intent.id);
    expect(edited).toMatchObject({ quantity: 4, status: 'live' });
    expect(Number(edited!.max_price)).toBe(999.5);

    await stop();
    await sync.outbox.withdraw(intent.id);
    await sync.outbox.flush();
    expect(await db.intents.get(intent.id)).toMatchObject({ status: 'withdrawn', sync: 'pending' });
    await start();
    await sync.outbox.retryNow();
    expect((await intentsOnServer(intent.id))[0]).toMatchObject({ status: 'withdrawn' });
    expect(await db.intents.get(intent.id)).toMatchObject({ status: 'withdrawn', sync: 'sent' });
  });

  it('marks an intent the server refuses as failed, and stops retrying it', { timeout: 30_000 }, async () => {
    const { db, sync } = await shopper();
    await writeSettings(db, { region: 'not a region' });
    const intent = await sync.outbox.join({ snapshot: snapshot({ url: 'https://shop.example.fr/p/refused' }), quantity: 1, maxPrice: null, currency: 'EUR' });
    await sync.outbox.flush();
    const row = await db.intents.get(intent.id);
    expect(row?.sync).toBe('failed');
    expect(row?.lastError).toMatch(/region/i);
    // The server's reason is kept with its key, so the popup says it in the shopper's language.
    expect(row?.lastRefusal?.key).toBe('invalidInput');
    expect(intentErrorText(row!, 'fr')).toMatch(/^Le serveur a refusé ces données comme non valides : .*region/s);
    expect(await db.outbox.count()).toBe(0);
  });

  it('listens again when the server refuses the live subscription, and then hears the events', { timeout: 30_000 }, async () => {
    const events: string[] = [];
    const db = new ExtensionDB(`sync-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    await writeSettings(db, { serverUrl: `http://127.0.0.1:${port}` });
    const sync = createSync({ db, languageTag: () => 'fr-FR', onNotice: async (notice) => void events.push(notice.type) });
    await sync.outbox.join({ snapshot: snapshot({ url: 'https://shop.example.fr/p/listening' }), quantity: 1, maxPrice: null, currency: 'EUR' });
    await sync.outbox.flush();
    // A resume point the server refuses (not an event id): the subscription ends with a refusal.
    await writeSettings(db, { lastEventId: 'not-an-id' });
    await sync.stream.listen();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await writeSettings(db, { lastEventId: null });
    // Listening again (2 s later), the subscription starts; a notice for this shopper then arrives.
    const shopperId = (await server!.database.db.selectFrom('intent').select('shopper_id').orderBy('created_at', 'desc').executeTakeFirstOrThrow()).shopper_id;
    const notice = { type: 'campaign.opened', campaignId: '00000000-0000-4000-8000-000000000001', productName: 'Kettle' };
    const deadline = Date.now() + 15_000;
    while (!events.includes('campaign.opened') && Date.now() < deadline) {
      await server!.bus.transaction((trx) => server!.bus.publish(trx, `shopper:${shopperId}`, 'notice', notice));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    sync.stream.stop();
    expect(events).toContain('campaign.opened');
  });

  it('never contacts the server before the shopper acts: no identity, nothing to refresh', async () => {
    const { db, sync } = await shopper();
    const before = (await server!.database.db.selectFrom('shopper').select('id').execute()).length;
    await sync.server.refresh();
    await sync.outbox.flush();
    expect(await sync.server.hasIdentity()).toBe(false);
    expect((await server!.database.db.selectFrom('shopper').select('id').execute()).length).toBe(before);
    expect(await db.settings.get('identity')).toBeUndefined();
  });

  it('backs off exponentially, with a cap', () => {
    const fixed = () => 0.5;
    expect([1, 2, 3, 4].map((n) => backoffMs(n, fixed))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(backoffMs(30, fixed)).toBe(600_000);
    expect(backoffMs(1, () => 0)).toBe(1_600);
    expect(backoffMs(1, () => 1)).toBe(2_400);
  });
});
