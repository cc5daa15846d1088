import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { ExtensionDB } from '../../extension/db.ts';
import { createMessageDispatcher, type MessageSender, type Reply } from '../../extension/messages.ts';
import { backgroundHandlers, onTabLoading, startBackground } from '../../extension/background.ts';
import { snapshot } from './snapshots.ts';

const ORIGIN = 'chrome-extension://test-extension-id/';
const tab = (id: number, url = 'https://shop.example.fr/p/cafetiere'): MessageSender => ({
  tab: { id } as MessageSender['tab'],
  frameId: 0,
  url,
});
const popup: MessageSender = { url: `${ORIGIN}popup.html` };

describe('background', () => {
  let db: ExtensionDB;
  let dispatch: (message: unknown, sender: MessageSender) => Promise<Reply<unknown>>;
  let clock = 1_000;

  beforeEach(() => {
    fakeBrowser.reset();
    db = new ExtensionDB('bg', { indexedDB: new IDBFactory(), IDBKeyRange });
    dispatch = createMessageDispatcher(backgroundHandlers({ db, locale: () => 'fr', now: () => clock++ }), ORIGIN);
  });

  const detected = (tabId: number, snap: ReturnType<typeof snapshot> | null, pageUrl = 'https://shop.example.fr/p/cafetiere') =>
    dispatch({ type: 'productDetected', pageUrl, snapshot: snap }, tab(tabId, pageUrl));
  const ask = (tabId: number) => dispatch({ type: 'getTabProduct', tabId }, popup);

  it('keeps each tab its own product', async () => {
    await detected(1, snapshot({ name: 'Un' }));
    await detected(2, snapshot({ name: 'Deux', url: 'https://shop.example.fr/p/2' }));
    await detected(3, null, 'https://news.example/article');
    const one = await ask(1);
    const two = await ask(2);
    const three = await ask(3);
    expect(one.ok && (one.value as { snapshot: { name: string } }).snapshot.name).toBe('Un');
    expect(two.ok && (two.value as { snapshot: { name: string } }).snapshot.name).toBe('Deux');
    expect(three).toEqual({ ok: true, value: { pageUrl: 'https://news.example/article', snapshot: null, detectedAt: expect.any(Number) } });
    expect(await ask(4)).toEqual({ ok: true, value: null });
  });

  it('keeps the per-tab product in session storage, so a restarted service worker still knows it', async () => {
    await detected(5, snapshot());
    // A new set of handlers stands for the service worker after a restart: nothing kept in memory.
    const restarted = createMessageDispatcher(backgroundHandlers({ db, locale: () => 'en' }), ORIGIN);
    const reply = await restarted({ type: 'getTabProduct', tabId: 5 }, popup);
    expect(reply.ok && (reply.value as { snapshot: { price: string } }).snapshot.price).toBe('1299.99');
  });

  it('marks the badge of tabs with a product, and only those', async () => {
    await detected(1, snapshot());
    await detected(2, null);
    expect(await fakeBrowser.action.getBadgeText({ tabId: 1 })).toBe('1');
    expect(await fakeBrowser.action.getTitle({ tabId: 1 })).toBe('Produit détecté : Cafetière à piston 1 L');
    expect(await fakeBrowser.action.getBadgeText({ tabId: 2 })).toBe('');
    // The same tab moving on to a page without product loses its mark.
    await detected(1, null, 'https://shop.example.fr/help');
    expect(await fakeBrowser.action.getBadgeText({ tabId: 1 })).toBe('');
  });

  it('forgets a tab product and clears the badge when the tab loads another page', async () => {
    await detected(1, snapshot());
    await onTabLoading(1, 'https://shop.example.fr/p/cafetiere#reviews', 'en');
    expect(await fakeBrowser.action.getBadgeText({ tabId: 1 })).toBe('1');
    await onTabLoading(1, undefined, 'en');
    expect(await ask(1)).toEqual({ ok: true, value: null });
    expect(await fakeBrowser.action.getBadgeText({ tabId: 1 })).toBe('');
  });

  it('records products seen in the bounded history, not pages without product', async () => {
    await detected(1, snapshot());
    await detected(2, snapshot());
    await detected(3, null);
    const rows = await db.productsSeen.toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.timesSeen).toBe(2);
  });

  it('ignores reports from frames other than the top one', async () => {
    const reply = await dispatch(
      { type: 'productDetected', pageUrl: 'https://ads.example/frame', snapshot: snapshot() },
      { ...tab(1), frameId: 3 },
    );
    expect(reply).toEqual({ ok: true, value: { recorded: false } });
    expect(await ask(1)).toEqual({ ok: true, value: null });
  });

  it('wires tab events: a closed tab is forgotten, a navigation clears its badge', async () => {
    startBackground({ db, locale: () => 'en' });
    const created = await fakeBrowser.tabs.create({ url: 'https://shop.example.fr/p/cafetiere' });
    const tabId = created.id!;
    await detected(tabId, snapshot());
    await fakeBrowser.tabs.onUpdated.trigger(tabId, { status: 'loading' }, created);
    await expect.poll(() => fakeBrowser.action.getBadgeText({ tabId })).toBe('');
    await detected(tabId, snapshot());
    await fakeBrowser.tabs.onRemoved.trigger(tabId, { windowId: 1, isWindowClosing: false });
    await expect.poll(() => ask(tabId)).toEqual({ ok: true, value: null });
  });

  it('clears the local history on the shopper’s request, and keeps their groups', async () => {
    await detected(1, snapshot());
    await db.lookups.put({ pageUrl: 'https://shop.example.fr/p/cafetiere', productId: null, fetchedAt: 1, result: { product: null, pool: null, pools: [], competitors: [], myIntent: null, campaign: null } });
    expect(await db.productsSeen.count()).toBe(1);
    expect(await dispatch({ type: 'clearHistory' }, popup)).toEqual({ ok: true, value: { ok: true } });
    expect(await db.productsSeen.count()).toBe(0);
    expect(await db.lookups.count()).toBe(0);
    // A web page cannot ask for it.
    expect((await dispatch({ type: 'clearHistory' }, tab(1))).ok).toBe(false);
  });
});
