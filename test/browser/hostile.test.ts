import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExtensionHarness, field, ownPage } from './harness.ts';

// A page written to hurt: markup and script in the product name, a javascript: image, malformed JSON-LD,
// 100,000 elements that look like prices, a 1,500-deep chain and a 1 MB text node (test/browser/pages/hostile.html).
const URL = 'https://hostile-shop.test/p/evil';

describe('a hostile page', () => {
  let harness: ExtensionHarness;
  beforeAll(async () => {
    harness = await ExtensionHarness.start([ownPage('hostile.html', URL)]);
  });
  afterAll(() => harness?.close());

  it('is read in bounded time, shows its name as text and runs nothing', async () => {
    const tab = await harness.open(URL);
    const tabId = await harness.reportedTab(URL);
    // The page stays responsive once detection has run.
    const started = Date.now();
    expect(await tab.evaluate(() => document.querySelectorAll('span.price').length)).toBe(100_000);
    expect(Date.now() - started).toBeLessThan(5_000);

    const popup = await harness.popup(tabId);
    expect(await popup.$('[data-testid=product]')).not.toBeNull();
    const name = (await field(popup, 'name')) ?? '';
    expect(name).toContain('Evil Gadget');
    // Whatever detection kept of the name is shown as characters: no element was made from it.
    expect(await popup.$$eval('[data-field=name] *', (children) => children.length)).toBe(0);
    expect(await popup.$$('img:not(.product-image)')).toHaveLength(0);
    expect(await field(popup, 'price')).toBe('€19.99');
    // A javascript: address is no picture.
    expect(await popup.$$eval('img', (images) => images.map((image) => image.getAttribute('src')))).not.toContainEqual(
      expect.stringMatching(/^javascript:/i),
    );
    // Nothing ran, neither in the page nor in the popup.
    expect(await tab.evaluate(() => document.documentElement.dataset.pwned)).toBeUndefined();
    expect(await popup.evaluate(() => document.documentElement.dataset.pwned)).toBeUndefined();
    await popup.close();
    await tab.close();
  });

  it('leaves the extension working for the next page', async () => {
    const tab = await harness.open(URL);
    const tabId = await harness.reportedTab(URL);
    const popup = await harness.popup(tabId);
    expect(await popup.$('[data-testid=error]')).toBeNull();
    await popup.close();
    await tab.close();
  });
});
