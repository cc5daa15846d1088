import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { ExtensionDB } from '../../extension/db.ts';
import { awaitingAnswer, dealNotices, eventNotice, Notifier, noticeText, WINDOW_CLOSING_MS } from '../../extension/notices.ts';
import type { DealRow } from '../../extension/records.ts';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const deal = (overrides: Partial<DealRow> = {}): DealRow => ({
  dealId: 'd1',
  campaignId: 'c1',
  productId: 'p1',
  productName: 'Cafetière',
  productImage: null,
  state: 'confirming',
  currency: 'EUR',
  unitPrice: '45',
  tiers: [
    { minQuantity: 10, unitPrice: '45' },
    { minQuantity: 50, unitPrice: '39' },
  ],
  tierReached: 0,
  firmQuantity: 12,
  confirmBy: new Date(NOW + 48 * 3600_000).toISOString(),
  myQuantity: 1,
  myCommitment: null,
  organiserMargin: '5%',
  fetchedAt: NOW,
  ...overrides,
});

describe('notices: what the shopper is told', () => {
  it('a deal that appears is a deal formed; a lower price a tier drop; a near deadline a reminder', () => {
    expect(dealNotices(new Map(), [deal()], NOW).map((n) => n.type)).toEqual(['deal.formed']);
    const before = new Map([['d1', deal()]]);
    expect(dealNotices(before, [deal()], NOW)).toEqual([]);
    expect(dealNotices(before, [deal({ unitPrice: '39.00', tierReached: 1 })], NOW).map((n) => n.key)).toEqual(['deal.tier-dropped:d1:39.00']);
    // A higher price (someone declined) is no "drop".
    expect(dealNotices(before, [deal({ unitPrice: '47' })], NOW)).toEqual([]);
    const closing = deal({ confirmBy: new Date(NOW + WINDOW_CLOSING_MS - 1).toISOString() });
    expect(dealNotices(before, [closing], NOW).map((n) => n.type)).toEqual(['deal.window-closing']);
    // Already answered: no reminder.
    expect(dealNotices(before, [{ ...closing, myCommitment: 'confirmed' }], NOW)).toEqual([]);
    expect(dealNotices(before, [deal({ state: 'closed' })], NOW).map((n) => n.type)).toEqual(['deal.closed']);
  });

  it('an event and a refresh about the same fact share one key', () => {
    const fromRefresh = dealNotices(new Map(), [deal()], NOW)[0]!;
    const fromEvent = eventNotice({ type: 'deal.formed', dealId: 'd1', campaignId: 'c1', productName: 'Cafetière', unitPrice: '45', currency: 'EUR' });
    expect(fromEvent.key).toBe(fromRefresh.key);
  });

  it('speaks the shopper’s language', () => {
    const n = dealNotices(new Map(), [deal()], NOW)[0]!;
    expect(noticeText(n, 'fr', 'fr-FR').title).toBe('Une offre groupée s’est formée');
    expect(noticeText(n, 'fr', 'fr-FR').message.replace(/\s/g, ' ')).toContain('Cafetière : 45 € l’unité');
    expect(noticeText(n, 'en', 'en-US').message).toContain('Cafetière: €45 each');
  });

  it('counts the deals awaiting an answer', () => {
    expect(awaitingAnswer([deal(), deal({ dealId: 'd2', myCommitment: 'declined' }), deal({ dealId: 'd3', state: 'closed' })], NOW)).toHaveLength(1);
    expect(awaitingAnswer([deal({ confirmBy: new Date(NOW - 1).toISOString() })], NOW)).toHaveLength(0);
  });

  describe('Notifier', () => {
    let db: ExtensionDB;
    beforeEach(() => {
      fakeBrowser.reset();
      db = new ExtensionDB('notices', { indexedDB: new IDBFactory(), IDBKeyRange });
    });

    it('tells each fact once, however many roads it comes by', async () => {
      const notifier = new Notifier(db, () => 'en', () => 'en-US', () => NOW);
      const created: string[] = [];
      const original = fakeBrowser.notifications.create.bind(fakeBrowser.notifications);
      fakeBrowser.notifications.create = (async (id: string, options: never) => {
        created.push(id);
        return original(id, options);
      }) as typeof fakeBrowser.notifications.create;
      const n = eventNotice({ type: 'deal.formed', dealId: 'd1', campaignId: 'c1', productName: 'Cafetière' });
      expect(await notifier.tell(n)).toBe(true);
      expect(await notifier.tell(n)).toBe(false);
      await notifier.onDeals(new Map(), [deal()]);
      expect(created).toHaveLength(1);
      expect(await db.notifications.count()).toBe(1);
    });
  });
});
