/**
 * Evidence from `<meta>` tags: Open Graph (`og:type`, `og:title`, `og:image`), product tags
 * (`product:price:amount`, `og:price:amount`, `product:availability`, `product:brand`...), and `itemprop`
 * metas that stand outside any item (some shops put `<meta itemprop="price">` in the head).
 */
import { parseAvailability } from '../parse/availability.ts';
import { currencyOfText, parseCurrencyCode } from '../parse/currency.ts';
import { parseGtin } from '../parse/gtin.ts';
import { parseMarkupPrice, parsePriceText } from '../parse/price.ts';
import { cleanText } from '../parse/text.ts';
import { absoluteUrl } from '../parse/url.ts';
import type { PageContext, Reading } from '../types.ts';

const MAX_METAS = 400;

/** All metas by lower-cased `property`, `name` or `itemprop` (first value wins). */
export function readMetas(doc: Document): Map<string, string> {
  const metas = new Map<string, string>();
  const list = doc.querySelectorAll('meta[content]');
  for (let i = 0; i < list.length && i < MAX_METAS; i++) {
    const m = list[i];
    if (!m) continue;
    const content = m.getAttribute('content') ?? '';
    const loose = m.hasAttribute('itemprop') && !m.closest('[itemscope]');
    for (const key of [m.getAttribute('property'), m.getAttribute('name'), loose ? m.getAttribute('itemprop') : null]) {
      if (!key) continue;
      const k = key.trim().toLowerCase();
      if (k.length < 60 && !metas.has(k)) metas.set(k, content);
    }
  }
  return metas;
}

function first(metas: Map<string, string>, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = metas.get(k);
    if (v !== undefined && v.trim()) return v;
  }
  return null;
}

function twitterCardPrice(metas: Map<string, string>): string | null {
  for (let i = 1; i <= 4; i++) {
    const label = metas.get(`twitter:label${i}`);
    if (label && /price|prix|preis|precio|prezzo|preço|cena|pris|hinta/i.test(label)) return metas.get(`twitter:data${i}`) ?? null;
  }
  return null;
}

/** The product tag and its Open Graph twin for each name: `price:amount` → product:price:amount, og:price:amount. */
const tags = (...names: string[]) => names.flatMap((name) => [`product:${name}`, `og:${name}`]);

export function readMeta(page: PageContext, metas: Map<string, string>): Reading | null {
  const type = (metas.get('og:type') ?? '').toLowerCase();
  // The price paid now: a sale price before the regular one; never `original_price` (the "was" price).
  const priceKeys = [...tags('sale_price:amount', 'price:amount', 'price'), 'price'];
  const priceKey = priceKeys.find((k) => parseMarkupPrice(metas.get(k)) !== null) ?? null;
  // Twitter's product card: `twitter:label1` "Price" with `twitter:data1` "LBP139999.00".
  const cardPrice = priceKey ? null : twitterCardPrice(metas);
  const price = priceKey ? parseMarkupPrice(metas.get(priceKey)) : (cardPrice ? (parsePriceText(cardPrice)?.amount ?? null) : null);
  const currencyKey = priceKey?.startsWith('product:sale') || priceKey?.startsWith('og:sale')
    ? priceKey.replace(/amount$/, 'currency')
    : null;
  const currency = (cardPrice && price ? currencyOfText(cardPrice, page) : null) ?? parseCurrencyCode(
    first(metas, [
      ...(currencyKey ? [currencyKey] : []),
      ...tags('price:currency'), 'pricecurrency', ...tags('currency'),
    ]),
    page,
  );
  // The regular price, where the metas name it apart from the price paid now ("was" during a sale).
  const regular = price === null ? null : parseMarkupPrice(first(metas, tags('original_price:amount', 'price:standard_amount')));
  const isProductType = /(?:^|[.:])product(?:$|[.:])|(?:^|:)item$/.test(type);
  const reading: Reading = {
    source: 'meta',
    signal: isProductType || price !== null ? 1 : 0,
    name: cleanText(first(metas, ['og:title', 'twitter:title']), 500),
    price,
    currency,
    availability: parseAvailability(first(metas, [...tags('availability'), 'availability'])),
    brand: cleanText(first(metas, [...tags('brand'), 'brand']), 200),
    gtin: parseGtin(first(metas, [...tags('ean', 'gtin', 'upc', 'isbn'), 'gtin13', 'gtin'])),
    mpn: cleanText(first(metas, ['product:mfr_part_no', 'mpn']), 100),
    sku: cleanText(first(metas, ['product:retailer_item_id', 'product:sku', 'sku']), 100),
    image: absoluteUrl(first(metas, ['og:image', 'og:image:secure_url', 'og:image:url', 'twitter:image']), page.url),
    url: absoluteUrl(metas.get('og:url'), page.url),
    ...(regular !== null && Number(regular) > Number(price) && { wasPrices: [regular], declaresWas: true }),
  };
  return reading;
}
