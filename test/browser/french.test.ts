import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExtensionHarness, field, fixturePages, fixtureTruth } from './harness.ts';

// A French shopper: the browser's UI language is French, so the popup speaks French and formats prices the
// French way (`1 299,99 €`).
const pages = fixturePages();
const truth = fixtureTruth();
const plain = (text: string | null) => text?.replace(/[\u00a0\u202f]/g, ' ') ?? null;

describe('the popup in French', () => {
  let harness: ExtensionHarness;
  beforeAll(async () => {
    harness = await ExtensionHarness.start(pages, 'fr-FR');
  });
  afterAll(() => harness?.close());

  it('formats the price the French way and labels the facts in French', async () => {
    // An Austrian shop's page: 99,95 € (eduscho.at).
    const page = pages.find((p) => p.url.includes('eduscho.at'))!;
    expect(truth[page.id]?.price).toContain('99.95');
    const tab = await harness.open(page.url);
    const popup = await harness.popup(await harness.reportedTab(page.url));
    expect(plain(await field(popup, 'price'))).toBe('99,95 €');
    expect(await popup.textContent('dl')).toContain('Marchand');
    expect(await popup.evaluate(() => document.documentElement.lang)).toBe('fr');
    await popup.close();
    await tab.close();
  });

  it('says in French that there is no product', async () => {
    const page = pages.find((p) => truth[p.id]?.isProduct === false)!;
    const tab = await harness.open(page.url);
    const popup = await harness.popup(await harness.reportedTab(page.url));
    expect(await popup.textContent('[data-testid=no-product]')).toContain('Aucun produit détecté sur cette page.');
    await popup.close();
    await tab.close();
  });
});
