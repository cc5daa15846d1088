import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPrice } from '../../core/i18n/format.ts';
import { ExtensionHarness, field, ownPage } from './harness.ts';

// Single-page shops change the product without loading a page; others render it late. Our own pages
// (test/browser/pages/) do both with their scripts running, like a real shop's.
const SPA = 'https://spa-shop.test';
const LATE = 'https://late-shop.test/p/lampe';

describe('pages that change after loading', () => {
  let harness: ExtensionHarness;
  beforeAll(async () => {
    harness = await ExtensionHarness.start([
      ownPage('spa-shop.html', `${SPA}/p/kettle`),
      ownPage('spa-shop.html', `${SPA}/p/toaster`),
      ownPage('spa-shop.html', `${SPA}/about`),
      ownPage('late-shop.html', LATE),
    ]);
  });
  afterAll(() => harness?.close());

  it('follows an in-page navigation (history.pushState) to another product and to a page without one', async () => {
    const tab = await harness.open(`${SPA}/p/kettle`);
    const tabId = await harness.reportedTab(`${SPA}/p/kettle`, (report) => report.snapshot !== null);
    let popup = await harness.popup(tabId);
    expect(await field(popup, 'name')).toBe('Steel Kettle 1.7 L');
    expect(await field(popup, 'price')).toBe(formatPrice('39.90', 'EUR', 'en-US'));
    await popup.close();

    await tab.click('a[data-to="/p/toaster"]');
    expect(tab.url()).toBe(`${SPA}/p/toaster`);
    expect(await harness.reportedTab(`${SPA}/p/toaster`, (r) => r.snapshot?.name === 'Two-Slice Toaster')).toBe(tabId);
    popup = await harness.popup(tabId);
    expect(await field(popup, 'name')).toBe('Two-Slice Toaster');
    expect(await field(popup, 'price')).toBe('€54.50');
    expect(await field(popup, 'gtin')).toBe('5901234123457');
    expect(await harness.badgeText(tabId)).toBe('1');

    // The popup stays open while the shopper navigates: it updates itself.
    await tab.click('a[data-to="/about"]');
    await harness.reportedTab(`${SPA}/about`, (report) => report.snapshot === null);
    await popup.waitForSelector('[data-testid=no-product]', { timeout: 5_000 });
    expect(await harness.badgeText(tabId)).toBe('');

    await tab.goBack();
    await harness.reportedTab(`${SPA}/p/toaster`, (report) => report.snapshot !== null);
    await popup.waitForSelector('[data-testid=product]', { timeout: 5_000 });
    expect(await harness.badgeText(tabId)).toBe('1');
    await popup.close();
    await tab.close();
  });

  it('finds a product whose markup renders after the page has loaded', async () => {
    const tab = await harness.open(LATE);
    // First report: the skeleton, no product yet; then the product once it renders (1.5 s later).
    const tabId = await harness.reportedTab(LATE, (report) => report.snapshot !== null);
    const popup = await harness.popup(tabId);
    expect(await field(popup, 'name')).toBe('Lampe de bureau articulée');
    expect(await field(popup, 'price')).toBe(formatPrice('1299.99', 'EUR', 'en-US'));
    expect(await field(popup, 'availability')).toBe('In stock');
    await popup.close();
    await tab.close();
  });
});
