import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ApiServer } from './api-server.ts';
import { ExtensionHarness, ownPage, waitFor } from './harness.ts';

// The shopper's whole path against the real server (tRPC on PGlite, started here): browsing sends nothing;
// the popup joins a group and the server holds the intent; with the server down the intent waits and is
// delivered once; a deal made through the API is notified, confirmed in the confirmation view, and the
// commitment is recorded on the server. Our own pages: they cause no request to any other host.
const SHOP_A = 'https://shop-a.example/p/kettle-k200';
const SHOP_B = 'https://shop-b.example/products/acme-k200';
const SHOP_C = 'https://shop-c.example/toaster-t40';
const pages = [
  ownPage('shop-a-kettle.html', SHOP_A),
  ownPage('shop-b-kettle.html', SHOP_B),
  ownPage('shop-c-toaster.html', SHOP_C),
];
const pageHosts = new Set(pages.map((page) => new URL(page.url).hostname));
// Chromium's own account probe (the browser's, not the extension's: it happens with no extension loaded too).
const BROWSER_OWN_HOSTS = new Set(['accounts.google.com']);

interface WorkerChrome {
  notifications: { getAll(): Promise<Record<string, unknown>> };
  action: { getBadgeText(details: object): Promise<string> };
}

// Evaluated in the service worker: its global `chrome` (the casts vanish at run time).
const notifications = () => (globalThis as unknown as { chrome: WorkerChrome }).chrome.notifications.getAll();
const badge = () => (globalThis as unknown as { chrome: WorkerChrome }).chrome.action.getBadgeText({});

describe('the shopper against the real server', () => {
  let api: ApiServer;
  let harness: ExtensionHarness;
  const openTabs: Page[] = [];

  /** Opens a product page and its popup (as the toolbar button would), once the page was read. */
  const openPopup = async (url: string) => {
    const tab = await harness.open(url);
    openTabs.push(tab);
    const popup = await harness.popup(await harness.reportedTab(url));
    openTabs.push(popup);
    return popup;
  };

  beforeAll(async () => {
    api = await ApiServer.start();
    harness = await ExtensionHarness.start(pages, 'en-US', ['127.0.0.1']);
    // The shopper points the extension at this server in the options page.
    const options = await harness.context.newPage();
    await options.goto(`chrome-extension://${harness.extensionId}/options.html`);
    await options.fill('[data-testid=server-url]', api.url);
    await options.click('[data-testid=save-server]');
    await options.waitForSelector('text=Saved.');
    expect(await options.textContent('[data-testid=identity]')).toContain('None yet');
    expect(await options.isChecked('[data-testid=share-prices]')).toBe(false);
    await options.close();
  });
  afterAll(async () => {
    for (const page of openTabs) await page.close().catch(() => undefined);
    await harness?.close();
    await api?.close();
  });

  it('sends nothing anywhere while a shopper who shared nothing browses', async () => {
    harness.server.requests.length = 0;
    for (const page of pages) {
      const tab = await harness.open(page.url);
      await harness.reportedTab(page.url);
      await tab.close();
    }
    // Give a leak the time to happen: the background had every report and stays idle.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(api.requests).toEqual([]);
    const hosts = new Set(harness.server.requests.map((request) => request.split('/')[0]!));
    expect([...hosts].filter((host) => !pageHosts.has(host) && !BROWSER_OWN_HOSTS.has(host))).toEqual([]);
    expect([...hosts].filter((host) => pageHosts.has(host))).toHaveLength(3);
  });

  it('joins the group from the popup in one click, and the server holds the intent', async () => {
    const popup = await openPopup(SHOP_A);
    const form = await popup.waitForSelector('[data-testid=join-form]');
    // The rule is stated before joining; quantity and max price come prefilled from the page.
    expect(await form.textContent()).toContain('Everyone pays the same price. You pay nothing now');
    expect(await popup.inputValue('[data-testid=join-form] input[name=maxPrice]')).toBe('49.9');
    // Compare retailers: the same product seen at shop B (the shopper's own history), cheaper by 5.40.
    const cheapest = await popup.waitForSelector('[data-testid=compare-row][data-cheapest=true]');
    expect(await cheapest.getAttribute('data-retailer')).toBe('shop-b.example');
    expect(await cheapest.textContent()).toContain('-5.40');

    await popup.click('[data-testid=join]');
    await popup.waitForSelector('[data-testid=intent-sync][data-sync=sent]', { timeout: 15_000 });
    const intents = await api.db.selectFrom('intent').selectAll().execute();
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ quantity: 1, status: 'live' });
    expect(Number(intents[0]!.max_price)).toBe(49.9);
    expect(await popup.textContent('[data-field=members]')).toBe('1');
    expect(await popup.textContent('[data-testid=my-groups]')).toContain('Acme Kettle K200');
  });

  it('joins with the server down: pending, then delivered exactly once when it is back', async () => {
    await api.stop();
    const popup = await openPopup(SHOP_C);
    await popup.click('[data-testid=join]');
    await popup.waitForSelector('[data-testid=intent-sync][data-sync=pending]');
    const intentId = await popup.getAttribute('[data-testid=my-intent]', 'data-intent-id');
    // Still pending after a few failed attempts.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await popup.getAttribute('[data-testid=intent-sync]', 'data-sync')).toBe('pending');

    await api.resume();
    await popup.waitForSelector('[data-testid=intent-sync][data-sync=sent]', { timeout: 40_000 });
    const rows = await api.db.selectFrom('intent').selectAll().where('id', '=', intentId!).execute();
    expect(rows).toHaveLength(1);
    expect(await api.db.selectFrom('intent').select('id').execute()).toHaveLength(2);
  });

  it('tells the shopper when a deal forms, and the confirmation is recorded on the server', async () => {
    const [kettle] = await api.db.selectFrom('intent').selectAll().where('max_price', 'is not', null).orderBy('created_at').execute();
    const { deal } = await api.formDeal(kettle!.pool_id, [
      { minQuantity: 1, unitPrice: '45.00' },
      { minQuantity: 50, unitPrice: '39.00' },
    ]);
    expect(deal).not.toBeNull();

    // The browser notification, as the service worker sees it.
    const ids = await waitFor('a browser notification', 30_000, async () => {
      const shown = Object.keys(await harness.worker.evaluate(notifications));
      return shown.length > 0 ? shown : undefined;
    });
    expect(ids[0]).toMatch(/^notice:\d+$/);
    expect(await waitFor('the badge', 10_000, async () => (await harness.worker.evaluate(badge)) || undefined)).toBe('1');

    // A click on it opens the confirmation view for that notice.
    const view = await harness.context.newPage();
    openTabs.push(view);
    await view.goto(`chrome-extension://${harness.extensionId}/confirm.html?notice=${ids[0]!.split(':')[1]}`);
    await view.waitForSelector('[data-testid=confirm][data-deal-id]');
    expect(await view.textContent('[data-field=unit-price]')).toBe('€45');
    await view.click('[data-testid=confirm-deal]');
    await view.waitForSelector('[data-testid=commitment][data-commitment=confirmed]', { timeout: 15_000 });

    const commitments = await api.db.selectFrom('commitment').selectAll().execute();
    expect(commitments).toHaveLength(1);
    expect(commitments[0]).toMatchObject({ deal_id: deal!.dealId, decision: 'confirmed', quantity: 1 });
    expect(await waitFor('the badge to clear', 10_000, async () => {
      const text = await harness.worker.evaluate(badge);
      return text === '' ? 'cleared' : undefined;
    })).toBe('cleared');
  });

  it('alerts the shopper when a campaign opens in one of their interests', async () => {
    const options = await harness.context.newPage();
    openTabs.push(options);
    await options.goto(`chrome-extension://${harness.extensionId}/options.html`);
    await options.fill('[data-testid=interest-value]', 'Toaster');
    await options.click('[data-testid=add-interest]');
    await waitFor('the interest on the server', 15_000, async () => {
      const rows = await api.db.selectFrom('interest').selectAll().execute();
      return rows.length > 0 ? rows : undefined;
    });
    const toaster = await api.db.selectFrom('intent').selectAll().where('max_price', '=', '29').executeTakeFirstOrThrow();
    await api.openCampaign(toaster.pool_id, '25');

    const newest = await waitFor('the campaign notification', 30_000, async () => {
      const ids = Object.keys(await harness.worker.evaluate(notifications)).map((id) => Number(id.split(':')[1]));
      return ids.length >= 2 ? Math.max(...ids) : undefined;
    });
    const view = await harness.context.newPage();
    openTabs.push(view);
    await view.goto(`chrome-extension://${harness.extensionId}/confirm.html?notice=${newest}`);
    expect(await (await view.waitForSelector('[data-testid=notice]')).textContent()).toBe('Acme Toaster T40 2 slots matches your interests.');
  });

  it('shows the tier ladder in the popup, the tier reached and whether the max price is met; in the language chosen', async () => {
    const popup = await openPopup(SHOP_A);
    const tiers = await popup.waitForSelector('[data-testid=tiers]', { timeout: 15_000 });
    expect(await tiers.textContent()).toContain('Units already confirmed: 1');
    expect(await popup.$$eval('[data-testid=tiers] li', (items) => items.map((li) => li.getAttribute('data-reached')))).toEqual(['true', 'false']);
    expect(await popup.textContent('[data-testid=max-price-met]')).toBe('Your maximum price is met.');
    expect(await popup.textContent('[data-testid=my-groups]')).toContain('you confirmed');

    const options = await harness.context.newPage();
    openTabs.push(options);
    await options.goto(`chrome-extension://${harness.extensionId}/options.html`);
    await options.selectOption('[data-testid=language]', 'fr');
    await options.waitForFunction(() => document.documentElement.lang === 'fr');
    expect(await options.textContent('[data-testid=identity]')).toContain('Acheteur anonyme');
    const french = await openPopup(SHOP_A);
    await french.waitForSelector('[data-testid=tiers]');
    expect(await french.textContent('[data-testid=my-intent]')).toContain('Vous êtes dans ce groupe');
    expect(await french.textContent('[data-testid=tiers]')).toContain('Unités déjà confirmées : 1');
  });

  it('edits and withdraws the intent from the popup; the server follows', async () => {
    const popup = await openPopup(SHOP_C);
    const form = await popup.waitForSelector('[data-testid=my-intent]');
    const intentId = (await form.getAttribute('data-intent-id'))!;
    await popup.fill('[data-testid=my-intent] input[name=quantity]', '3');
    await popup.click('[data-testid=save-intent]');
    const onServer = () => api.db.selectFrom('intent').selectAll().where('id', '=', intentId).executeTakeFirstOrThrow();
    await waitFor('the new quantity on the server', 15_000, async () => ((await onServer()).quantity === 3 ? true : undefined));
    await popup.waitForSelector('[data-testid=intent-sync][data-sync=sent]');

    await popup.click('[data-testid=withdraw]');
    await waitFor('the withdrawal on the server', 15_000, async () => ((await onServer()).status === 'withdrawn' ? true : undefined));
    // Joining is offered again; My groups keeps the withdrawn intent with its status.
    await popup.waitForSelector('[data-testid=join-form]');
    expect(await popup.getAttribute(`[data-testid=my-intent-row][data-intent-id="${intentId}"]`, 'data-status')).toBe('withdrawn');
  });
});
