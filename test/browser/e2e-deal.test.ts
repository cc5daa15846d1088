import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, screenshot, seedOrganiser, signInThroughUi, startDashboardServer, type DashboardServer } from './dashboard-helpers.ts';
import { ExtensionHarness, ownPage, waitFor } from './harness.ts';

/**
 * Issue 5's whole flow in one real Chromium against one real server (PGlite in memory) serving the built
 * dashboard, with the built extension loaded: a shopper joins from a product page through the extension's
 * popup; an organiser signs in to the dashboard, opens the pool, creates a campaign and invites a supplier;
 * the supplier bids through its link; the organiser accepts; the deal forms and the shopper's extension
 * shows a notification and confirms in its confirmation view; the organiser follows it live, closes it and
 * exports the order list. Screenshots of each screen go to test-results/screens/.
 */
const SHOP_A = 'https://shop-a.example/p/kettle-k200';
const PRODUCT = 'Acme Kettle K200 1.7 L';
/** The page's GTIN-13, as the server stores every GTIN (normalised to 14 digits). */
const GTIN14 = '04006381333931';

interface WorkerChrome {
  notifications: { getAll(): Promise<Record<string, unknown>> };
}

describe('a group deal from the first intent to the order list', () => {
  let s: DashboardServer;
  let harness: ExtensionHarness;
  let organiser: Awaited<ReturnType<typeof seedOrganiser>>;
  const pages: Page[] = [];
  const newPage = async () => {
    const page = await harness.context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    pages.push(page);
    return page;
  };

  let poolId = '';
  let campaignPage: Page;
  let invitationLink = '';
  let dealId = '';
  let shopperTab = 0;
  /** Two more members who joined through the API (their extensions are not under test). */
  const others: Array<{ token: string; shopperId: string }> = [];

  beforeAll(async () => {
    s = await startDashboardServer();
    organiser = await seedOrganiser(s.server.url);
    // Product pages resolve to the harness's page server; 127.0.0.1 stays the real API and dashboard server.
    harness = await ExtensionHarness.start([ownPage('shop-a-kettle.html', SHOP_A)], 'en-US', ['127.0.0.1']);
    const options = await harness.context.newPage();
    await options.goto(`chrome-extension://${harness.extensionId}/options.html`);
    await options.fill('[data-testid=server-url]', s.server.url);
    await options.click('[data-testid=save-server]');
    await options.waitForSelector('text=Saved.');
    await screenshot(options, 'e2e-00-extension-options');
    await options.close();
  });

  afterAll(async () => {
    for (const page of pages) await page.close().catch(() => undefined);
    await harness?.close();
    await s?.close();
  });

  it('a shopper joins from the product page through the extension; two more join through the API', async () => {
    const tab = await newPage();
    await tab.goto(SHOP_A);
    shopperTab = await harness.reportedTab(SHOP_A);
    const popup = await harness.popup(shopperTab);
    pages.push(popup);
    await popup.waitForSelector('[data-testid=join-form]');
    await popup.click('[data-testid=join]');
    await popup.waitForSelector('[data-testid=intent-sync][data-sync=sent]', { timeout: 20_000 });
    await screenshot(popup, 'e2e-01-extension-joined');

    const intent = await s.database.db.selectFrom('intent').selectAll().executeTakeFirstOrThrow();
    poolId = intent.pool_id;
    for (let i = 0; i < 2; i++) {
      const shopper = await apiClient(s.server.url).identity.createShopper.mutate();
      await apiClient(s.server.url, shopper.token).intents.register.mutate({
        id: randomUUID(),
        productId: intent.product_id,
        quantity: 1,
        maxPrice: '48',
        currency: intent.currency.trim(),
        region: intent.region,
      });
      others.push(shopper);
    }
    const pool = await s.database.db.selectFrom('pool').selectAll().where('id', '=', poolId).executeTakeFirstOrThrow();
    expect({ members: pool.member_count, units: Number(pool.total_quantity) }).toEqual({ members: 3, units: 3 });
  });

  it('the organiser signs in, opens the pool and creates a campaign, opens it and invites a supplier', async () => {
    const page = await newPage();
    await page.goto(`${s.server.url}/`);
    await screenshot(page, 'e2e-02-sign-in');
    await signInThroughUi(page, s.server.url, organiser.email, organiser.password);
    await page.locator(`tr[data-pool-id="${poolId}"]`).waitFor();
    await screenshot(page, 'e2e-03-pools');

    await page.getByRole('link', { name: PRODUCT }).click();
    await page.locator('[data-testid=demand-chart] svg.recharts-surface').waitFor();
    expect(await page.locator('[data-testid=pool-facts] [data-field=members]').textContent()).toBe('3');
    await screenshot(page, 'e2e-04-pool');

    await page.getByLabel(/Target unit price/).fill('45');
    await page.getByLabel('Organiser margin').fill('3%');
    await page.getByRole('button', { name: 'Create the campaign' }).click();
    await page.getByTestId('campaign').waitFor();
    await page.getByRole('button', { name: 'Open for bids' }).click();
    await expect.poll(() => page.locator('[data-field=state]').textContent(), { timeout: 15_000 }).toBe('open for bids');
    await page.getByLabel('Supplier name').fill('Bouilloires Martin SARL');
    await page.getByRole('button', { name: 'Create an invitation link' }).click();
    invitationLink = await page.getByTestId('invitation-link').inputValue();
    expect(invitationLink.startsWith(`${s.server.url}/supplier#token=sup_`)).toBe(true);
    await screenshot(page, 'e2e-05-campaign-invite');
    campaignPage = page;
  });

  it('the supplier bids through its link, seeing aggregated demand only', async () => {
    const supplier = await newPage();
    await supplier.goto(invitationLink);
    await supplier.getByTestId('supplier').waitFor();
    expect(await supplier.locator('[data-testid=supplier-demand] [data-field=members]').textContent()).toBe('3');
    const html = await supplier.content();
    for (const other of others) {
      expect(html).not.toContain(other.shopperId);
      expect(html).not.toContain(other.token);
    }
    await supplier.getByLabel('Tier 1: minimum quantity').fill('2');
    await supplier.getByLabel(/Tier 1: unit price/).fill('45');
    await supplier.getByRole('button', { name: 'Add a tier' }).click();
    await supplier.getByLabel('Tier 2: minimum quantity').fill('10');
    await supplier.getByLabel(/Tier 2: unit price/).fill('40');
    await supplier.getByRole('button', { name: 'Submit the bid' }).click();
    await supplier.getByTestId('bid-saved').waitFor();
    await screenshot(supplier, 'e2e-06-supplier-bid');
  });

  it('before any deal, the shopper’s popup shows the best offer so far: its tiers and the tier the group reached', async () => {
    const popup = await harness.popup(shopperTab);
    pages.push(popup);
    // The popup asks the server again when it opens: the campaign comes with that answer.
    await popup.waitForSelector('[data-testid=campaign-open]', { timeout: 15_000 });
    const tiers = popup.locator('[data-testid=tiers] li');
    await expect.poll(() => tiers.count()).toBe(2);
    expect(await tiers.evaluateAll((rows) => rows.map((row) => [row.textContent, row.getAttribute('data-reached')]))).toEqual([
      ['From 2 units€45 (reached)', 'true'],
      ['From 10 units€40', 'false'],
    ]);
    expect(await popup.locator('[data-testid=tiers] [data-field=already]').textContent()).toBe('Units the group wants so far: 3');
    await screenshot(popup, 'e2e-06b-extension-offer');
  });

  it('the organiser compares the bid and accepts it: the deal forms at once (the pool reaches tier 1)', async () => {
    const page = campaignPage;
    const bid = page.getByTestId('bid');
    await bid.waitFor();
    expect(await bid.textContent()).toContain('Today the pool reaches tier 1 (€45.00).');
    await screenshot(page, 'e2e-07-bids');
    await page.getByLabel('Confirmation window when accepting (hours)').fill('2');
    await page.getByRole('button', { name: 'Accept the bid of Bouilloires Martin SARL' }).click();
    const deal = page.getByTestId('deal');
    await deal.waitFor();
    dealId = (await deal.getAttribute('data-deal-id'))!;
    expect(await deal.getAttribute('data-state')).toBe('confirming');
    expect(await deal.locator('[data-field=deal-price]').textContent()).toBe('€45.00');
    expect(await deal.locator('[data-field=tier]').textContent()).toBe('1 of 2');
    expect(await deal.locator('[data-field=time-left]').textContent()).toMatch(/^(1 h [0-5]\d|2 h 00) min \d\d s$/);
    await screenshot(page, 'e2e-08-deal-formed');
  });

  it('the shopper’s extension is notified and the shopper confirms in its confirmation view; the dashboard follows live', async () => {
    const notifications = () => (globalThis as unknown as { chrome: WorkerChrome }).chrome.notifications.getAll();
    const ids = await waitFor('a browser notification of the deal', 30_000, async () => {
      const shown = Object.keys(await harness.worker.evaluate(notifications));
      return shown.length > 0 ? shown : undefined;
    });
    const view = await newPage();
    await view.goto(`chrome-extension://${harness.extensionId}/confirm.html?notice=${ids[0]!.split(':')[1]}`);
    await view.waitForSelector(`[data-testid=confirm][data-deal-id="${dealId}"]`);
    expect(await view.textContent('[data-field=unit-price]')).toBe('€45');
    await view.getByLabel('Share my contact details with the supplier (for delivery)').check();
    await view.getByLabel('Name').fill('Alex Martin');
    await view.getByLabel('E-mail').fill('alex@example.org');
    await view.getByLabel('Address').fill('1 rue de la Paix, Paris');
    await screenshot(view, 'e2e-09-extension-confirm');
    await view.click('[data-testid=confirm-deal]');
    await view.waitForSelector('[data-testid=commitment][data-commitment=confirmed]', { timeout: 15_000 });
    await screenshot(view, 'e2e-10-extension-confirmed');

    // The other two answer through the API: one confirms without sharing contact, one declines.
    await apiClient(s.server.url, others[0]!.token).commitments.respond.mutate({ dealId, decision: 'confirm' });
    await apiClient(s.server.url, others[1]!.token).commitments.respond.mutate({ dealId, decision: 'decline' });

    const deal = campaignPage.getByTestId('deal');
    await expect.poll(() => deal.locator('[data-field=confirmed]').textContent(), { timeout: 15_000 }).toBe('2');
    await expect.poll(() => deal.locator('[data-field=declined]').textContent(), { timeout: 15_000 }).toBe('1');
    expect(await deal.locator('[data-field=firm]').textContent()).toBe('2');
    await screenshot(campaignPage, 'e2e-11-deal-live');
  });

  it('the organiser closes the deal and exports the confirmed order list (CSV and JSON)', async () => {
    const page = campaignPage;
    await page.getByRole('button', { name: 'Close the deal now' }).click();
    const deal = page.getByTestId('deal');
    await expect.poll(() => deal.getAttribute('data-state'), { timeout: 15_000 }).toBe('closed');
    await page.getByTestId('handoff-lines').waitFor();
    const lines = await page.locator('[data-testid=handoff-lines] tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children).map((c) => c.textContent)));
    expect(lines).toHaveLength(2);
    // Quantities for every confirmed member; contact details only for the one who agreed to share them.
    expect(lines.map((l) => l.slice(1)).sort()).toEqual([
      ['1', 'Alex Martin', 'alex@example.org', '1 rue de la Paix, Paris'],
      ['1', '—', '—', '—'],
    ]);
    await screenshot(page, 'e2e-12-closed-order-list');

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync((await csvDownload.path())!, 'utf8').replace(/^\uFEFF/, '');
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('line,product,gtin,quantity,unit_price,currency,name,email,address');
    expect(rows).toHaveLength(3);
    const body = rows.slice(1).map((r) => r.replace(/^\d+,/, '')).sort();
    expect(body).toEqual([`${PRODUCT},${GTIN14},1,45,EUR,,,`, `${PRODUCT},${GTIN14},1,45,EUR,Alex Martin,alex@example.org,"1 rue de la Paix, Paris"`]);
    expect(csvDownload.suggestedFilename()).toBe(`order-list-${dealId}.csv`);

    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
    const handoff = JSON.parse(readFileSync((await jsonDownload.path())!, 'utf8')) as {
      dealId: string;
      unitPrice: string;
      firmQuantity: number;
      lines: Array<{ quantity: number; name: string | null; email: string | null }>;
    };
    expect(handoff).toMatchObject({ dealId, unitPrice: '45', firmQuantity: 2 });
    expect(handoff.lines.map((l) => l.email).sort()).toEqual(['alex@example.org', null].sort());
    // Nobody who declined is on it, and no shopper id is.
    const text = JSON.stringify(handoff) + csv;
    for (const other of others) expect(text).not.toContain(other.shopperId);
  });
});
