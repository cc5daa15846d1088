/**
 * Reading a schema.org Product, whichever syntax carried it: JSON-LD objects as they are, microdata and
 * RDFa items turned into the same shape ({ '@type': [...], property: value | value[] }).
 */
import type { Availability } from '../../snapshot.ts';
import * as LIMITS from '../limits.ts';
import { parseAvailability } from '../parse/availability.ts';
import { parseCurrencyCode } from '../parse/currency.ts';
import { parseGtin } from '../parse/gtin.ts';
import { parseMarkupPrice } from '../parse/price.ts';
import { cleanText } from '../parse/text.ts';
import { absoluteUrl, decodeUri } from '../parse/url.ts';
import type { HeadingText, PageContext, ProductFields } from '../types.ts';

export type Thing = { [key: string]: unknown };

/** Types that are a product even without an offer, when they carry an identifier. */
const CORE_PRODUCT_TYPES = new Set([
  'product', 'productgroup', 'productmodel', 'individualproduct', 'someproducts', 'car', 'vehicle', 'motorcycle',
]);
/** Types that describe something a shop sells: those, their kin, and sold events. */
const PRODUCT_TYPES = new Set([
  ...CORE_PRODUCT_TYPES, 'motorizedbicycle', 'book', 'offer', 'event', 'musicalbum', 'musicrecording', 'movie', 'videogame',
  'softwareapplication',
]);

export function typesOf(thing: Thing): string[] {
  const t = thing['@type'] ?? thing['type'];
  const list = Array.isArray(t) ? t : [t];
  const out: string[] = [];
  for (const v of list) {
    if (typeof v !== 'string') continue;
    // "http://schema.org/Product", "schema:Product", "CreativeWork%20http://schema.org/Product"
    for (const part of decodeUri(v.slice(0, 300)).split(/\s+/)) {
      const name = part.replace(/^.*[/:#]/, '').toLowerCase();
      if (name) out.push(name);
    }
  }
  return out;
}

export function isProductType(thing: Thing): boolean {
  return typesOf(thing).some((t) => PRODUCT_TYPES.has(t));
}

export function isCoreProductType(thing: Thing): boolean {
  return typesOf(thing).some((t) => CORE_PRODUCT_TYPES.has(t));
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.slice(0, 100) : [v];
}

function isThing(v: unknown): v is Thing {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A text property: a string, a number, or an object with a name (`brand: { name: "Bosch" }`). */
function textOf(v: unknown, max = 200): string | null {
  for (const item of asList(v)) {
    if (isThing(item)) {
      const t = textOf(item['name'] ?? item['@value'] ?? item['value'], max);
      if (t) return t;
    } else {
      const t = cleanText(item, max);
      if (t && !/^(?:null|undefined|n\/a|none|-)$/i.test(t)) return t;
    }
  }
  return null;
}

function imageOf(v: unknown, base: string | null): string | null {
  for (const item of asList(v)) {
    const u = isThing(item) ? (item['contentUrl'] ?? item['url'] ?? item['@id']) : item;
    const abs = absoluteUrl(Array.isArray(u) ? u[0] : u, base);
    if (abs) return abs;
  }
  return null;
}

interface OfferReading {
  price: string | null;
  currency: string | null;
  availability: Availability | null;
  sku: string | null;
  gtin: string | null;
}

/** A price specification that is not the price paid now (a "was" or list price) is skipped. */
function isStrikethrough(spec: Thing): boolean {
  const kind = textOf(spec['priceType'] ?? spec['name'], 100) ?? '';
  return /strikethrough|listprice|list price|msrp|srp|was|regular/i.test(kind);
}

function readOffer(offer: Thing, page: PageContext, depth: number): OfferReading[] {
  if (depth > 4) return [];
  const currency = parseCurrencyCode(textOf(offer['priceCurrency'] ?? offer['currency'], 20), page);
  let price =
    parseMarkupPrice(firstScalar(offer['price'])) ??
    parseMarkupPrice(firstScalar(offer['lowPrice'])) ??
    parseMarkupPrice(firstScalar(offer['minPrice']));
  let specCurrency: string | null = null;
  if (price === null) {
    for (const spec of asList(offer['priceSpecification'])) {
      if (!isThing(spec) || isStrikethrough(spec)) continue;
      price = parseMarkupPrice(firstScalar(spec['price'])) ?? parseMarkupPrice(firstScalar(spec['minPrice']));
      specCurrency = parseCurrencyCode(textOf(spec['priceCurrency'], 20), page);
      if (price !== null) break;
    }
  }
  const own: OfferReading = {
    price,
    currency: currency ?? specCurrency,
    availability: parseAvailability(textOf(offer['availability'], 100)),
    sku: textOf(offer['sku'], 100),
    gtin: gtinOf(offer),
  };
  // AggregateOffer: its own low price first, then the offers it lists.
  const inner = asList(offer['offers']).filter(isThing).flatMap((o) => readOffer(o, page, depth + 1));
  if (own.price === null && inner.length) {
    return inner.map((o) => ({ ...o, currency: o.currency ?? own.currency, availability: o.availability ?? own.availability }));
  }
  return [own, ...inner];
}

function firstScalar(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : isThing(v) ? (v['@value'] ?? v['value']) : v;
}

function gtinOf(thing: Thing): string | null {
  for (const key of ['gtin13', 'gtin', 'gtin12', 'gtin14', 'gtin8', 'isbn', 'ean', 'productID']) {
    for (const v of asList(thing[key])) {
      const g = parseGtin(typeof v === 'number' ? String(v) : v);
      if (g) return g;
    }
  }
  return null;
}

export interface ProductReading extends ProductFields {
  otherPrices: string[];
  /** Whether an offer with a price, or an identifier, describes it: a product sold here. */
  sold: boolean;
}

/** The fields of one schema.org product-like thing (with its offers, and its variants for a ProductGroup). */
export function readProduct(thing: Thing, page: PageContext): ProductReading {
  // An Offer that names what it sells: read the item, with this offer.
  let product = thing;
  let offers = asList(thing['offers']).filter(isThing);
  if (typesOf(thing).includes('offer')) {
    const item = asList(thing['itemOffered']).find(isThing);
    product = item ?? {};
    offers = [thing, ...asList(product['offers']).filter(isThing)];
  }
  const variants = asList(product['hasVariant']).filter(isThing).slice(0, LIMITS.items);
  if (!offers.length) offers = variants.flatMap((v) => asList(v['offers']).filter(isThing));
  const offerReadings = offers.slice(0, 100).flatMap((o) => readOffer(o, page, 0));
  // Of several offers for one product (a list price and a sale price, several sellers), the lowest is
  // what a shopper pays; offers that can be bought come first.
  let priced: OfferReading | undefined;
  for (const o of offerReadings) {
    if (o.price === null) continue;
    const better =
      !priced ||
      (o.availability === 'InStock') > (priced.availability === 'InStock') ||
      ((o.availability === 'InStock') === (priced.availability === 'InStock') && Number(o.price) < Number(priced.price));
    if (better) priced = o;
  }
  // Offers per size or colour: the product can be bought if any of them can.
  const availabilities = offerReadings.map((o) => o.availability).filter((a): a is Availability => a !== null);
  const availability = availabilities.includes('InStock') ? 'InStock' : (availabilities[0] ?? null);
  const sku = textOf(product['sku'], 100) ?? priced?.sku ?? offerReadings.find((o) => o.sku)?.sku ?? null;
  const gtin = gtinOf(product) ?? priced?.gtin ?? null;
  const mpn = textOf(product['mpn'], 100);
  const currency = priced?.currency ?? offerReadings.find((o) => o.currency)?.currency ?? null;
  return {
    name: textOf(product['name'], 500),
    brand: textOf(product['brand'], 200) ?? textOf(product['manufacturer'], 200),
    sku,
    mpn,
    gtin,
    // Resolved only when read: of many products listed on a page, one is kept.
    get image() {
      return imageOf(product['image'], page.url);
    },
    url: absoluteUrl(textOf(product['url'], 2048) ?? firstScalar(product['@id']), page.url),
    price: priced?.price ?? null,
    otherPrices: [...new Set(offerReadings.map((o) => o.price).filter((p): p is string => p !== null && p !== priced?.price))].slice(0, 20),
    currency,
    availability,
    sold: priced !== undefined || sku !== null || gtin !== null || mpn !== null,
  };
}

/** A text's words, lower case: made once for a text compared many times (the page's title). */
export const nameWords = (s: string) => new Set(s.toLowerCase().match(/[\p{L}\p{N}]+/gu));

/** Word overlap of a product's name with the page's heading or title: the page's own product matches it. */
export function nameMatch(name: string | Set<string> | null | undefined, heading: string | Set<string> | null): number {
  if (!name || !heading) return 0;
  const a = typeof name === 'string' ? nameWords(name) : name;
  const b = typeof heading === 'string' ? nameWords(heading) : heading;
  if (!a.size) return 0;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return common / a.size;
}

/**
 * Of several products described on a page, the page's own: one with an offer, named like the page's
 * heading, at the page's address; the first one otherwise. Related products come later and lack offers.
 */
export function pickMainProduct(
  products: readonly { reading: ProductReading }[],
  page: PageContext,
  heading: HeadingText,
): ProductReading | null {
  let best: ProductReading | null = null;
  let bestScore = -Infinity;
  // One product needs no choosing: the heading is looked for only to tell several apart.
  const text = products.length > 1 ? heading() : null;
  const named = text ? nameWords(text) : null;
  const pagePath = page.url ? pathOf(page.url) : null;
  for (let index = 0; index < products.length; index++) {
    const reading = (products[index] as { reading: ProductReading }).reading;
    let score = -index * 0.01;
    if (reading.price !== null) score += 3;
    if (reading.sold) score += 1;
    score += 2 * nameMatch(reading.name, named);
    if (reading.url && pagePath !== null && pathOf(reading.url) === pagePath) score += 2;
    if (score > bestScore) {
      bestScore = score;
      best = reading;
    }
  }
  const main = best;
  if (!main) return null;
  // Products of the same name are its variants (sizes, colours): it can be bought if one of them can.
  const key = main.name?.toLowerCase();
  if (key && main.availability !== 'InStock' && products.some(({ reading }) => reading.name?.toLowerCase() === key && reading.availability === 'InStock')) {
    return { ...main, availability: 'InStock' };
  }
  return main;
}

/** The path of an address as `absoluteUrl` gives it (normalised by URL), without its final slash. */
function pathOf(url: string): string {
  return (/^\w+:\/\/[^/?#]*([^?#]*)/.exec(url)?.[1] ?? '').replace(/\/$/, '');
}
