import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { ExtensionDB } from '../../extension/db.ts';
import { createMessageDispatcher, type MessageSender, type Reply } from '../../extension/messages.ts';
import { backgroundHandlers, onTabLoading, startBackground } from '../../extension/background.ts';
import { loadTabProduct } from '../../extension/tab-products.ts';
import { ProtocolError } from '../../extension/send-message.ts';
import type { Sync } from '../../extension/sync.ts';
import { errorText } from '../../components/format.ts';
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
  // What the popup reads for a tab (session storage, written by the background).
  const ask = (tabId: number) => loadTabProduct(tabId);

  it('keeps each tab its own product', async () => {
    await detected(1, snapshot({ name: 'Un' }));
    await detected(2, snapshot({ name: 'Deux', url: 'https://shop.example.fr/p/2' }));
    await detected(3, null, 'https://news.example/article');
    const one = await ask(1);
    const two = await ask(2);
    const three = await ask(3);
    expect(one?.snapshot?.name).toBe('Un');
    expect(two?.snapshot?.name).toBe('Deux');
    expect(three).toEqual({ pageUrl: 'https://news.example/article', snapshot: null, detectedAt: expect.any(Number) });
    expect(await ask(4)).toBeNull();
  });

  it('joins the product the popup names by its tab, from session storage, even after a restart', async () => {
    await detected(5, snapshot());
    // A new set of handlers stands for the service worker after a restart: nothing kept in memory.
    const join = vi.fn(async () => ({ id: 'intent-1' }));
    const run = vi.fn(async () => undefined);
    const sync = { outbox: { join }, catchUp: { run } } as unknown as Sync;
    const restarted = createMessageDispatcher(backgroundHandlers({ db, locale: () => 'fr', sync }), ORIGIN);
    const request = { type: 'join', tabId: 5, productUrl: 'https://shop.example.fr/p/cafetiere', quantity: 2, maxPrice: null, currency: 'EUR' };
    expect(await restarted(request, popup)).toEqual({ ok: true, value: { intentId: 'intent-1' } });
    expect(join).toHaveBeenCalledWith({ snapshot: snapshot(), quantity: 2, maxPrice: null, currency: 'EUR' });
    expect(run).toHaveBeenCalledWith('joined');
    // The tab moved on to another product while the popup showed this one: refused, said in the shopper's language.
    const moved = await restarted({ ...request, productUrl: 'https://shop.example.fr/p/other' }, popup);
    expect(moved).toMatchObject({ ok: false, refusal: { key: 'pageChanged' } });
    expect(errorText(new ProtocolError('refused', moved.ok ? null : moved.refusal), 'fr')).toMatch(/^Cet onglet affiche maintenant un autre produit/);
    expect(await restarted({ type: 'refreshProduct', tabId: 6, productUrl: 'https://shop.example.fr/p/cafetiere' }, popup)).toEqual({ ok: true, value: null });
    expect(join).toHaveBeenCalledTimes(1);
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
    expect(await ask(1)).toBeNull();
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
    expect(await ask(1)).toBeNull();
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
    await expect.poll(() => ask(tabId)).toBeNull();
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
