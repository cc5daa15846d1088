/**
 * Product detection: reads the product a page shows from every source of evidence it carries, and merges
 * them. Pure: standard DOM APIs only (no layout, no network), bounded work; the same code runs in the
 * content script and in Node.
 *
 *   page → sources (json-ld, microdata, rdfa, meta, visible) → readings → merge → ProductSnapshot
 */
import type { EvidenceSource, ProductSnapshot, SnapshotField } from '../snapshot.ts';
import { choose, declaresArticle, isProductPage, withoutWasPrices, type Choice } from './merge.ts';
import { countryOfHost, currencyOfContext } from './parse/currency.ts';
import { cleanBrand, stripShopName } from './parse/text.ts';
import { absoluteUrl, retailerOf } from './parse/url.ts';
import { readJsonLd } from './sources/json-ld.ts';
import { readMeta, readMetas } from './sources/meta.ts';
import { clearAncestorCaches, readMicrodata } from './sources/microdata.ts';
import { readRdfa } from './sources/rdfa.ts';
import { readUrl } from './sources/url.ts';
import { mainHeading, readVisible, scanPage, type PageScan } from './sources/visible.ts';
import type { PageContext, Reading } from './types.ts';

export { parseAmount, parseMarkupPrice, parsePriceText } from './parse/price.ts';
export { currencyOfContext, currencyOfText, parseCurrencyCode } from './parse/currency.ts';
export { isValidGtin, parseGtin } from './parse/gtin.ts';
export { isOutOfStockText, parseAvailability } from './parse/availability.ts';
export { absoluteUrl, retailerOf } from './parse/url.ts';

export interface DetectOptions {
  /** The page's address, when known better than the document's own (e.g. a saved page). */
  url?: string;
}

/** The page's own address, when the document knows it (a live page does; a parsed string may not). */
function documentUrl(doc: Document): string | null {
  const d = doc as Document & { URL?: string; location?: { href?: string } | null };
  const u = d.URL ?? d.location?.href ?? null;
  return u && /^https?:/i.test(u) ? u : null;
}

function pageContext(doc: Document, options: DetectOptions, metas: Map<string, string>, canonical: string | null): PageContext {
  const url =
    absoluteUrl(options.url, null) ??
    absoluteUrl(documentUrl(doc), null) ??
    absoluteUrl(canonical, null) ??
    absoluteUrl(metas.get('og:url'), null);
  const host = url ? (retailerOf(url) ?? '') : '';
  const lang =
    doc.documentElement?.getAttribute('lang') ??
    metas.get('content-language') ??
    metas.get('og:locale')?.replace('_', '-') ??
    null;
  const siteNames = [host, host.split('.').slice(-3, -1).join('.'), metas.get('og:site_name') ?? '', metas.get('application-name') ?? ''];
  return { doc, url, lang, country: countryOfHost(host), siteNames: siteNames.filter(Boolean), declaredTypes: new Set() };
}

/**
 * Reads the product shown on a page, or null when the page is not a product page. Never throws: a page
 * we cannot read gives null.
 */
export function detectProduct(doc: Document, options: DetectOptions = {}): ProductSnapshot | null {
  clearAncestorCaches();
  try {
    return detect(doc, options);
  } catch {
    return null;
  } finally {
    clearAncestorCaches();
  }
}

/** An identifier shown with its label is what shoppers and the shop use; beside the heading it wins. */
const shownIdentifier = (field: 'sku' | 'mpn') => (r: Reading) =>
  r.source !== 'visible' || !r[field] ? 0 : field === 'sku' ? (r.skuShown ? 8 : 0) : 3;

function detect(doc: Document, options: DetectOptions): ProductSnapshot | null {
  const metas = readMetas(doc);
  // Read once: a page without one is searched to its end.
  const canonicalHref = doc.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? null;
  const page = pageContext(doc, options, metas, canonicalHref);
  const title = metas.get('og:title') ?? doc.querySelector('title')?.textContent ?? null;

  // What the page shows is read when it can change the answer: most pages a shopper opens are not product
  // pages, and their markup, or the lack of a heading, tells so without reading their text.
  let shown: { scan: PageScan; heading: Element | null } | undefined;
  const readShown = () => {
    if (shown) return shown;
    const scan = scanPage(doc);
    return (shown = { scan, heading: mainHeading(scan, title ? stripShopName(title, page.siteNames) : null) });
  };
  let headingText: string | null | undefined;
  const heading = () => (headingText ??= readShown().heading?.textContent?.trim().slice(0, 300) || title);

  const jsonLd = readJsonLd(page, heading);
  const microdata = readMicrodata(page, heading);
  const rdfa = readRdfa(page, heading);
  const meta = readMeta(page, metas);
  const described = [jsonLd, microdata, rdfa].some((r) => r?.signal === 2);
  // A page that declares itself an article shows products without selling them (isProductPage).
  if (!described && declaresArticle(page.declaredTypes)) return null;
  // Without markup describing a product, or Open Graph's word, only what the page shows can make it one.
  const { scan, heading: headingEl } = readShown();
  const visible = readVisible(page, scan, headingEl, !described && meta?.signal !== 1);

  // Strongest first: on equal weight the first reading wins.
  const readings = [jsonLd, microdata, rdfa, meta, visible, readUrl(page)].filter((r): r is Reading => r !== null);
  if (!isProductPage(readings, page.declaredTypes)) return null;

  const canonical = absoluteUrl(canonicalHref, page.url);
  const url = canonical ?? absoluteUrl(metas.get('og:url'), page.url) ?? page.url;
  const retailer = page.url ? retailerOf(page.url) : null;
  if (!url || !retailer) return null;

  const evidence: Partial<Record<SnapshotField, EvidenceSource[]>> = {};
  const take = <T>(field: SnapshotField, choice: Choice<T> | null): T | null => {
    if (!choice) return null;
    evidence[field] = choice.sources;
    return choice.value;
  };

  const nameReadings = readings.map((r) => (r.name ? { ...r, name: stripShopName(r.name, page.siteNames) } : r));
  const name = take('name', choose(nameReadings, 'name'));
  if (!name) return null;
  const priceChoice = choose(withoutWasPrices(readings), 'price');
  const price = take('price', priceChoice);
  // The currency goes with the price: sources that gave the chosen price count double.
  const currency =
    take('currency', choose(readings, 'currency', (r) => (priceChoice?.sources.includes(r.source) ? 4 : 0))) ??
    (price ? currencyOfContext(page) : null);

  return {
    name,
    price,
    currency,
    // A buy button the shopper can press outweighs markup that says out of stock (often a variant's).
    // With no word on stock at all, a shop that shows a price sells the product: in stock.
    availability:
      take('availability', choose(readings, 'availability', (r) => (r.source === 'visible' && r.availability === 'InStock' ? 3 : 0))) ??
      (price ? 'InStock' : null),
    brand: take('brand', choose(readings.map((r) => (r.brand ? { ...r, brand: cleanBrand(r.brand) } : r)), 'brand')),
    gtin: take('gtin', choose(readings, 'gtin')),
    mpn: take('mpn', choose(readings, 'mpn', shownIdentifier('mpn'))),
    // An identifier shown with its label ("Product code: 123") is the one shoppers and the shop use.
    sku: take('sku', choose(readings, 'sku', shownIdentifier('sku'))),
    image: take('image', choose(readings, 'image')),
    url,
    retailer,
    evidence,
  };
}
