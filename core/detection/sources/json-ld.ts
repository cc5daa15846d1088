/** Evidence from schema.org JSON-LD (`<script type="application/ld+json">`): @graph, arrays, nesting. */
import * as LIMITS from '../limits.ts';
import type { HeadingText, PageContext, Reading } from '../types.ts';
import {
  isCoreProductType,
  isProductType,
  pickMainProduct,
  readProduct,
  typesOf,
  type ProductReading,
  type Thing,
} from './schema-org.ts';

/** Properties through which the page's own product may be reached; other nesting (isPartOf...) is not it. */
const MAIN_PATHS = new Set(['@graph', 'mainEntity', 'mainEntityOfPage', 'about', 'itemOffered', 'subjectOf']);
/** Properties that list other things: products found there are a listing's, not the page's. */
const LIST_PATHS = new Set(['itemListElement', 'item', 'isRelatedTo', 'isSimilarTo', 'isAccessoryOrSparePartFor', 'isConsumableFor']);

/**
 * Shops' JSON-LD is often not quite JSON: raw line breaks in strings, trailing commas, HTML comments.
 * These are mended; anything else that fails to parse is skipped.
 */
export function parseJsonLd(text: string): unknown {
  const src = text.replace(/^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$/g, '').trim();
  if (!src) return null;
  try {
    return JSON.parse(src);
  } catch {
    try {
      // eslint-disable-next-line no-control-regex -- raw control characters are what breaks shops' JSON
      return JSON.parse(src.replace(/[\u0000-\u001f]+/g, ' ').replace(/,\s*([}\]])/g, '$1'));
    } catch {
      return null;
    }
  }
}

interface Found {
  thing: Thing;
  listed: boolean;
}

export function collectProducts(root: unknown, declared?: Set<string>): Found[] {
  const found: Found[] = [];
  let visited = 0;
  const walk = (value: unknown, depth: number, main: boolean, listed: boolean): void => {
    if (depth > LIMITS.depth || ++visited > LIMITS.nodes || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value.slice(0, 500)) walk(v, depth + 1, main, listed);
      return;
    }
    const thing = value as Thing;
    if (declared && depth <= 3) for (const t of typesOf(thing)) if (declared.size < 100) declared.add(t);
    if (isProductType(thing)) {
      // An Offer that is not about an item is a price, read with its product, not a product itself.
      const isBareOffer = !isCoreProductType(thing) && thing['itemOffered'] === undefined && thingHasType(thing, 'offer');
      if (!isBareOffer) found.push({ thing, listed: listed || !main });
      if (isCoreProductType(thing) || !isBareOffer) return; // its offers and variants are read with it
    }
    const isList = thingHasType(thing, 'itemlist') || thingHasType(thing, 'offercatalog');
    for (const key of Object.keys(thing).slice(0, 200)) {
      if (key === '@context') continue;
      const v = thing[key];
      if (v === null || typeof v !== 'object') continue;
      walk(v, depth + 1, main && MAIN_PATHS.has(key), listed || isList || LIST_PATHS.has(key));
    }
  };
  walk(root, 0, true, false);
  return found;
}

function thingHasType(thing: Thing, type: string): boolean {
  const t = thing['@type'];
  const list = Array.isArray(t) ? t : [t];
  return list.some((v) => typeof v === 'string' && v.replace(/^.*[/:]/, '').toLowerCase() === type);
}

/**
 * The products of all JSON-LD blocks that may be the page's own, each read. Products met only in lists (a
 * category page) or as a part of something else are not the page's, and are not read.
 */
function pageProducts(page: PageContext): { reading: ProductReading }[] {
  const scripts = page.doc.querySelectorAll('script[type="application/ld+json"]');
  const out: { reading: ProductReading }[] = [];
  let total = 0;
  for (let i = 0; i < scripts.length && i < LIMITS.jsonLdScripts; i++) {
    const text = scripts[i]?.textContent ?? '';
    total += text.length;
    if (text.length > LIMITS.jsonLdChars || total > LIMITS.jsonLdTotalChars) continue;
    const data = parseJsonLd(text);
    for (const { thing, listed } of collectProducts(data, page.declaredTypes)) {
      if (out.length >= LIMITS.items) break;
      if (!listed) out.push({ reading: readProduct(thing, page) });
    }
  }
  return out;
}

export function readJsonLd(page: PageContext, heading: HeadingText): Reading | null {
  const main = pickMainProduct(pageProducts(page), page, heading);
  if (!main) return null;
  const { sold, ...fields } = main;
  return { source: 'json-ld', signal: sold ? 2 : 0, ...fields };
}
