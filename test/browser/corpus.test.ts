import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { formatPrice } from '../../core/i18n/format.ts';
import { ExtensionHarness, field, fixturePages, fixtureTruth } from './harness.ts';

// Real pages from the corpus (test/fixtures/pages), each served at its original address, read by the built
// extension in Chromium; what the popup shows is compared with what a person read on the page (truth.json).
const pages = fixturePages();
const truth = fixtureTruth();
const productPages = pages.filter((page) => truth[page.id]?.isProduct);
const otherPages = pages.filter((page) => truth[page.id]?.isProduct === false);

/** Lower-case, single spaces: names are compared as a reader would. */
const normalise = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();

describe('corpus pages in Chromium with the built extension', () => {
  let harness: ExtensionHarness;
  beforeAll(async () => {
    harness = await ExtensionHarness.start(pages);
  });
  afterAll(() => harness?.close());

  it('has product and other pages to read', () => {
    expect(productPages.length).toBeGreaterThanOrEqual(10);
    expect(otherPages.length).toBeGreaterThanOrEqual(3);
  });

  describe.each(productPages.map((page) => [page.id.slice(0, 12), page] as const))('product page %s', (_id, page) => {
    let tab: Page;
    let popup: Page;
    let tabId: number;
    beforeAll(async () => {
      tab = await harness.open(page.url);
      tabId = await harness.reportedTab(page.url);
      popup = await harness.popup(tabId);
    });
    afterAll(async () => {
      await popup?.close();
      await tab?.close();
    });

    it('shows the product, at the price and in the currency the page shows', async () => {
      const expected = truth[page.id]!;
      expect(await popup.$('[data-testid=product]')).not.toBeNull();
      const currencies = expected.currency ?? [];
      const accepted = (expected.price ?? []).flatMap((price) =>
        currencies.map((currency) => formatPrice(price, currency, 'en-US')),
      );
      expect(accepted).toContain(await field(popup, 'price'));
    });

    it("shows a name read from the page, as text", async () => {
      const name = (await field(popup, 'name')) ?? '';
      expect(name.length).toBeGreaterThan(2);
      // Everything the page carries, markup included (a name may come from JSON-LD or a meta tag).
      const pageText = normalise(
        await tab.evaluate(() => `${document.documentElement.textContent} ${document.documentElement.innerHTML}`),
      );
      expect(pageText).toContain(normalise(name));
      expect(await popup.$$eval('[data-field=name] *', (children) => children.length)).toBe(0);
    });

    it('names the retailer by its site', async () => {
      const host = new URL(page.url).hostname.replace(/^www\./, '');
      expect(await field(popup, 'retailer')).toBe(host);
    });

    it('marks the toolbar button of the tab', async () => {
      expect(await harness.badgeText(tabId)).toBe('1');
    });
  });

  describe.each(otherPages.map((page) => [page.id, page] as const))('page without product %s', (_id, page) => {
    it('shows "no product detected" and leaves the toolbar button unmarked', async () => {
      const tab = await harness.open(page.url);
      const tabId = await harness.reportedTab(page.url);
      const popup = await harness.popup(tabId);
      expect(await popup.textContent('[data-testid=no-product]')).toContain('No product detected on this page.');
      expect(await popup.$('[data-testid=product]')).toBeNull();
      expect(await harness.badgeText(tabId)).toBe('');
      await popup.close();
      await tab.close();
    });
  });

  it('clears the mark when a tab goes from a product page to another page', async () => {
    const [product] = productPages;
    const [other] = otherPages;
    const tab = await harness.open(product!.url);
    const tabId = await harness.reportedTab(product!.url);
    expect(await harness.badgeText(tabId)).toBe('1');
    await tab.goto(other!.url, { waitUntil: 'load' });
    expect(await harness.reportedTab(other!.url)).toBe(tabId);
    expect(await harness.badgeText(tabId)).toBe('');
    const popup = await harness.popup(tabId);
    expect(await popup.$('[data-testid=no-product]')).not.toBeNull();
    await popup.close();
    await tab.close();
  });
});
