/** Evidence from schema.org (and the older data-vocabulary.org) microdata: `itemscope` / `itemprop`. */
import type { PageContext, Reading } from '../types.ts';
import { MICRODATA, readItems, type Item, type ItemSyntax } from './items.ts';
import { isProductType, pickMainProduct, readProduct, typesOf } from './schema-org.ts';

/** Items through which the page's own product may hang; under anything else (isPartOf) it is not it. */
const PAGE_TYPES = new Set(['webpage', 'itempage', 'offer', 'aggregateoffer', 'productgroup']);
const PAGE_PROPERTIES = new Set(['mainEntity', 'itemOffered', 'hasVariant']);

/**
 * Blocks of other products around the page's own: lists, carousels, "customers also bought". Their class
 * or id names say so in most shops' templates.
 */
const RELATED_BLOCK = /related|recommend|similar|carousel|upsell|cross-?sell|also|suggest|recent|accessor|bundle|teaser|listing|product-?list|search-?result/i;

export function inRelatedBlock(el: Element): boolean {
  let node: Element | null = el.parentElement;
  for (let i = 0; node && i < 25; i++, node = node.parentElement) {
    const tag = node.tagName.toLowerCase();
    if (tag === 'body' || tag === 'main') return false;
    if (tag === 'aside') return true;
    const names = `${node.getAttribute('class') ?? ''} ${node.id ?? ''}`;
    if (names.length > 1 && names.length < 500 && RELATED_BLOCK.test(names)) return true;
  }
  return false;
}

function isPageProduct(item: Item): boolean {
  if (!isProductType(item.thing)) return false;
  // An Offer item inside a product is read with that product.
  if (item.via && typesOf(item.thing).every((t) => t === 'offer' || t === 'aggregateoffer')) return false;
  if (item.via && !PAGE_PROPERTIES.has(item.via.property) && !typesOf(item.via.parent.thing).some((t) => PAGE_TYPES.has(t))) {
    return false;
  }
  if (item.via && typesOf(item.via.parent.thing).some((t) => t === 'itemlist')) return false;
  return !inRelatedBlock(item.element);
}

export function readItemSource(
  page: PageContext,
  heading: string | null,
  syntax: ItemSyntax,
  source: 'microdata' | 'rdfa',
): Reading | null {
  const items = readItems(page.doc, syntax);
  for (const item of items) if (!item.via) for (const t of typesOf(item.thing)) if (page.declaredTypes.size < 100) page.declaredTypes.add(t);
  const products = items
    .filter(isPageProduct)
    .map((item) => ({ reading: readProduct(item.thing, page) }));
  const main = pickMainProduct(products, page, heading);
  if (!main) return null;
  const { sold, ...fields } = main;
  return { source, signal: sold ? 2 : 0, ...fields };
}

export function readMicrodata(page: PageContext, heading: string | null): Reading | null {
  return readItemSource(page, heading, MICRODATA, 'microdata');
}
