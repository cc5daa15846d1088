import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';
import {
  apiClient,
  screenshot,
  seedOrganiser,
  seedPool,
  signInThroughUi,
  startDashboardServer,
  type DashboardServer,
  type SeededPool,
} from './dashboard-helpers.ts';

/**
 * The organisers' dashboard and the supplier page in a real Chromium against the real server (PGlite in
 * memory), serving the built dashboard. Data is seeded through the API as shoppers' extensions would.
 */
describe('dashboard (organisers and suppliers)', () => {
  let s: DashboardServer;
  let context: BrowserContext;
  let closeBrowser: () => Promise<void>;
  let organiser: Awaited<ReturnType<typeof seedOrganiser>>;
  let pool: SeededPool;
  let page: Page;
  let campaignUrl = '';
  let invitationLink = '';

  beforeAll(async () => {
    s = await startDashboardServer();
    organiser = await seedOrganiser(s.server.url);
    pool = await seedPool(s.server.url, [
      { quantity: 2, maxPrice: '180' },
      { quantity: 1, maxPrice: '170' },
      { quantity: 3, maxPrice: '150' },
      { quantity: 1, maxPrice: null },
    ]);
    const launched = await launchChromium({ serverPort: s.port, withExtension: false });
    context = launched.context;
    closeBrowser = launched.close;
    page = await context.newPage();
    // The dashboard asks before irreversible actions; the tests accept.
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await closeBrowser?.();
    await s?.close();
  });

  it('refuses a wrong password with the server’s reason, then signs in and lists the pool created through the API', async () => {
    await page.goto(`${s.server.url}/`);
    await page.getByLabel('E-mail').fill(organiser.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('problem').textContent(), { timeout: 15_000 }).toContain('Wrong e-mail or password');
    await screenshot(page, 'dashboard-01-sign-in-refused');

    await signInThroughUi(page, s.server.url, organiser.email, organiser.password);
    const row = page.locator(`[data-testid=pools] tr[data-pool-id="${pool.poolId}"]`);
    await row.waitFor();
    const cells = await row.locator('td, th').allTextContents();
    // Rank, product, brand, members, units.
    expect(cells.slice(0, 5)).toEqual(['1', pool.productName, 'Zorblax', '4', '7']);
    await screenshot(page, 'dashboard-02-pools');
  });

  it('filters the pools', async () => {
    await page.getByLabel('Product name contains').fill('no such product');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByTestId('no-pools').waitFor();
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.locator(`tr[data-pool-id="${pool.poolId}"]`).waitFor();
  });

  it('opens a pool: demand curve chart with its table, price quartiles, market prices at both shops, expected dropout', async () => {
    await page.getByRole('link', { name: pool.productName }).click();
    await page.getByRole('heading', { level: 1, name: pool.productName }).waitFor();
    // The chart is drawn (recharts' SVG with a line) and its figures are in a table too.
    await page.locator('[data-testid=demand-chart] svg.recharts-surface path.recharts-curve').first().waitFor();
    const curveRows = await page.locator('[data-testid=demand-table] tbody tr').evaluateAll((rows) =>
      rows.map((r) => Array.from(r.children).map((c) => c.textContent?.replace(/\s/g, ' ')))
    );
    // 1 member without a max price counts at every price: 180 → 2+1, 170 → +1, 150 → +3.
    expect(curveRows).toEqual([
      ['€180.00', '2', '3'],
      ['€170.00', '3', '4'],
      ['€150.00', '4', '7'],
    ]);
    const quartiles = await page.locator('[data-testid=quartiles] tbody tr').first().locator('td').allTextContents();
    expect(quartiles[0]).toBe('3'); // three members gave a max price
    expect(quartiles).toContain('€170.00'); // the median member
    const market = await page.locator('[data-testid=market-prices] tbody th').allTextContents();
    expect(market.map((m) => m.replace(' (cheapest)', ''))).toEqual(['shop-b.example.fr', 'shop-a.example.fr']);
    expect(await page.locator('[data-testid=market-prices] tbody td').nth(1).textContent()).toBe('in stock');
    await page.locator('[data-testid=price-history] svg.recharts-surface').first().waitFor();
    expect(await page.getByTestId('dropout').textContent()).toMatch(/30%.*about 4 of the 7 units/);
    await screenshot(page, 'dashboard-03-pool');
  });

  it('creates a campaign, opens it for bids and invites a supplier (a link to the supplier page on this server)', async () => {
    await page.getByLabel(/Target unit price/).fill('165');
    await page.getByLabel('Organiser margin').fill('4%');
    await page.getByLabel('Conditions').fill('Livraison en France métropolitaine');
    await page.getByRole('button', { name: 'Create the campaign' }).click();
    await page.getByTestId('campaign').waitFor();
    expect(await page.locator('[data-field=state]').textContent()).toBe('draft');
    campaignUrl = page.url();
    expect(campaignUrl).toMatch(/\/campaigns\/[0-9a-f-]{36}$/);

    await page.getByRole('button', { name: 'Open for bids' }).click();
    await expect.poll(() => page.locator('[data-field=state]').textContent(), { timeout: 15_000 }).toBe('open for bids');

    await page.getByLabel('Supplier name').fill('Fournisseur Dupont SA');
    await page.getByRole('button', { name: 'Create an invitation link' }).click();
    invitationLink = await page.getByTestId('invitation-link').inputValue();
    expect(invitationLink).toMatch(new RegExp(`^${s.server.url}/supplier#token=sup_[A-Za-z0-9_-]+$`));
    // The live subscription heard the invitation.
    await page.locator('[data-testid=events] li[data-type="campaign.supplier-invited"]').waitFor();
    await screenshot(page, 'dashboard-04-campaign');
  });

  it('supplier page: aggregated demand and never an identity; a bid is submitted and appears live to the organiser', async () => {
    const supplier = await context.newPage();
    const answers: string[] = [];
    supplier.on('response', async (response) => {
      if (response.url().includes('/trpc/')) answers.push(await response.text().catch(() => ''));
    });
    await supplier.goto(invitationLink);
    await supplier.getByTestId('supplier').waitFor();
    expect(await supplier.locator('[data-testid=supplier-demand] [data-field=members]').textContent()).toBe('4');
    expect(await supplier.locator('[data-testid=supplier-demand] [data-field=units]').textContent()).toBe('7');
    expect(await supplier.locator('[data-testid=supplier-demand] [data-field=region]').textContent()).toBe('FR');
    await supplier.locator('[data-testid=demand-chart] svg.recharts-surface').waitFor();
    // No shopper id or token in the page or in anything the server sent to it.
    const html = await supplier.content();
    for (const secret of [...pool.shopperIds, ...pool.shopperTokens]) {
      expect(html).not.toContain(secret);
      for (const answer of answers) expect(answer).not.toContain(secret);
    }
    expect(answers.length).toBeGreaterThan(0);

    await supplier.getByLabel('Tier 1: minimum quantity').fill('5');
    await supplier.getByLabel(/Tier 1: unit price/).fill('175');
    await supplier.getByRole('button', { name: 'Add a tier' }).click();
    await supplier.getByLabel('Tier 2: minimum quantity').fill('10');
    await supplier.getByLabel(/Tier 2: unit price/).fill('160');
    await supplier.getByLabel('Conditions', { exact: true }).fill('Livraison sous 3 semaines');
    await supplier.getByRole('button', { name: 'Submit the bid' }).click();
    expect(await supplier.getByTestId('bid-saved').textContent()).toBe('Bid saved (revision 1).');
    await screenshot(supplier, 'dashboard-05-supplier-bid');

    // The organiser's page, still open, shows the bid through the live subscription (no reload).
    const bid = page.getByTestId('bid');
    await bid.waitFor();
    expect(await bid.locator('h3').textContent()).toBe('Fournisseur Dupont SA');
    const tiers = await bid.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children).map((c) => c.textContent)));
    // Tier 1 (5 units at 175): reached today (7 units), members willing: 180 and open ones → 2 members, 3 units.
    expect(tiers[0]).toEqual(['T1', '5', '€175.00', 'yes', 'short by 1', '2 members, 3 units', '-€14.50', 'no']);
    expect(tiers[1]?.slice(0, 4)).toEqual(['T2', '10', '€160.00', 'no']);
    expect(await bid.textContent()).toContain('Today the pool reaches tier 1 (€175.00).');
    await screenshot(page, 'dashboard-06-bids-compared');
    await supplier.close();
  });

  it('shows the server’s error in the bid form when tiers are invalid, and stores nothing of it', async () => {
    const supplier = await context.newPage();
    await supplier.goto(invitationLink);
    await supplier.getByTestId('my-bid').waitFor();
    await supplier.getByLabel(/Tier 2: unit price/).fill('190');
    await supplier.getByRole('button', { name: 'Submit the revision' }).click();
    const problem = supplier.locator('[data-testid=bid-form] [data-testid=problem]');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('tier 2: a larger quantity may not cost more per unit (190 after 175)');
    expect(await supplier.getByRole('alert').count()).toBe(1);
    await screenshot(supplier, 'dashboard-07-supplier-invalid-bid');
    await supplier.close();
    // Nothing partial was stored: the bid is still revision 1 with its tiers.
    const detail = await apiClient(s.server.url, organiser.token).campaigns.get.query({ campaignId: campaignUrl.split('/').pop()! });
    expect(detail.bids[0]).toMatchObject({ revision: 1, tiers: [{ minQuantity: 5, unitPrice: '175' }, { minQuantity: 10, unitPrice: '160' }] });
  });

  it('lets the supplier revise its bid, and the organiser sees the revision live', async () => {
    const supplier = await context.newPage();
    await supplier.goto(invitationLink);
    await supplier.getByTestId('my-bid').waitFor();
    // The form comes back with the bid as stored.
    expect(await supplier.getByLabel('Tier 2: minimum quantity').inputValue()).toBe('10');
    await supplier.getByLabel(/Tier 1: unit price/).fill('172,50');
    await supplier.getByRole('button', { name: 'Submit the revision' }).click();
    expect(await supplier.getByTestId('bid-saved').textContent()).toBe('Bid saved (revision 2).');
    await supplier.close();
    await page.locator('[data-testid=events] li[data-type="bid.revised"]').waitFor();
    await expect.poll(() => page.getByTestId('bid').locator('tbody tr').first().locator('td').nth(1).textContent(), { timeout: 15_000 }).toBe('€172.50');
  });

  it('says so when an invitation link is not valid', async () => {
    const supplier = await context.newPage();
    await supplier.goto(`${s.server.url}/supplier#token=sup_not-a-real-invitation`);
    const problem = supplier.getByTestId('problem');
    await problem.waitFor();
    expect(await problem.getAttribute('data-kind')).toBe('unauthorized');
    expect(await problem.textContent()).toContain('This invitation link is not valid');
    await screenshot(supplier, 'dashboard-08-invalid-invitation');
    await supplier.close();
  });

  it('speaks French by default in a French browser (here: an invalid invitation)', async () => {
    const french = await launchChromium({ serverPort: s.port, withExtension: false, lang: 'fr-FR' });
    try {
      const supplier = await french.context.newPage();
      await supplier.goto(`${s.server.url}/supplier#token=sup_not-a-real-invitation`);
      await supplier.getByTestId('problem').waitFor();
      const problem = await supplier.getByTestId('problem').textContent();
      expect(problem).toContain('Ce lien d’invitation n’est pas valide');
      // The server's reason too, in French (its refusal key), not its English sentence.
      expect(problem).toContain('Identifiez-vous d’abord');
      expect(problem).not.toContain('Sign in first');
      expect(await supplier.getByTestId('language').inputValue()).toBe('fr');
      await screenshot(supplier, 'dashboard-08b-invalid-invitation-fr');
    } finally {
      await french.close();
    }
  });

  it('switches to French, and remembers it', async () => {
    await page.goto(`${s.server.url}/pools`);
    await page.getByTestId('language').selectOption('fr');
    await page.getByRole('heading', { level: 1, name: 'Groupes classés par demande' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Groupes classés par demande' }).waitFor();
    await screenshot(page, 'dashboard-09-french');
    await page.getByTestId('language').selectOption('en');
  });

  it('is usable with the keyboard: tab to a pool link and open it with Enter', async () => {
    await page.goto(`${s.server.url}/pools`);
    await page.locator(`tr[data-pool-id="${pool.poolId}"]`).waitFor();
    let focused = '';
    for (let i = 0; i < 30 && focused !== pool.productName; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => (document.activeElement?.tagName === 'A' ? (document.activeElement.textContent ?? '') : ''));
    }
    expect(focused).toBe(pool.productName);
    // Focus is visible (an outline from :focus-visible).
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: pool.productName }).waitFor();
    // Focus moved to the new page's content, so the next Tab starts there.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('sends an organiser whose session expired back to sign in, saying why', async () => {
    await page.evaluate(() => {
      const key = 'group-buy.organiser-session';
      const session = JSON.parse(localStorage.getItem(key)!) as Record<string, string>;
      localStorage.setItem(key, JSON.stringify({ ...session, token: 'org_revoked-or-expired' }));
    });
    await page.goto(`${s.server.url}/pools`);
    await page.getByTestId('session-expired').waitFor();
    expect(await page.getByTestId('session-expired').textContent()).toContain('Your session has expired');
    await screenshot(page, 'dashboard-10-session-expired');
  });

  it('says so when the server cannot be reached', async () => {
    await signInThroughUi(page, s.server.url, organiser.email, organiser.password);
    await page.locator(`tr[data-pool-id="${pool.poolId}"]`).waitFor();
    // Requests to the API fail at the network level, as when the server is down.
    await page.route('**/trpc/**', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const problem = page.getByTestId('problem');
    await problem.waitFor();
    expect(await problem.getAttribute('data-kind')).toBe('unreachable');
    await screenshot(page, 'dashboard-11-server-down');
    await page.unroute('**/trpc/**');
  });
});
