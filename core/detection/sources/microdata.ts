/** Evidence from schema.org (and the older data-vocabulary.org) microdata: `itemscope` / `itemprop`. */
import type { HeadingText, PageContext, Reading } from '../types.ts';
import { MICRODATA, readItems, type Item, type ItemSyntax } from './items.ts';
import { isProductType, pickMainProduct, readProduct, typesOf } from './schema-org.ts';

/** Items through which the page's own product may hang; under anything else (isPartOf) it is not it. */
const PAGE_TYPES = new Set(['webpage', 'itempage', 'offer', 'aggregateoffer', 'productgroup']);
const PAGE_PROPERTIES = new Set(['mainEntity', 'itemOffered', 'hasVariant']);

/**
 * Blocks of other products around the page's own: lists, carousels, "customers also bought". Their class
 * or id names say so in most shops' templates.
 */
export const RELATED_WORDS = 'related|recommend|similar|carousel|upsell|cross-?sell|also|suggest|recent|accessor|bundle|teaser|listing|product-?list|search-?result';
const RELATED_BLOCK = new RegExp(RELATED_WORDS, 'i');

/**
 * Answers about an element's ancestors, remembered for one detection run: the price, button and label
 * scans ask about the same ancestors many times, and each is answered once.
 */
const relatedCache = new Map<Element, boolean>();
const chromeCache = new Map<Element, boolean>();

/** Forget remembered answers (the page may change between two runs). Called around each detection. */
export function clearAncestorCaches(): void {
  relatedCache.clear();
  chromeCache.clear();
}

/** An element's class attribute: `className` is a property read (no lookup by name); SVG's is an object. */
export function classOf(el: Element): string {
  const c = el.className;
  return typeof c === 'string' ? c : (el.getAttribute('class') ?? '');
}

function blockIsRelated(node: Element | null): boolean {
  if (!node) return false;
  const known = relatedCache.get(node);
  if (known !== undefined) return known;
  const tag = node.tagName; // upper case in HTML documents
  let related: boolean;
  if (tag === 'BODY' || tag === 'MAIN') related = false;
  else if (tag === 'ASIDE') related = true;
  else {
    const names = `${classOf(node)} ${node.id ?? ''}`;
    related = (names.length > 1 && names.length < 500 && RELATED_BLOCK.test(names)) || blockIsRelated(node.parentElement);
  }
  relatedCache.set(node, related);
  return related;
}

export function inRelatedBlock(el: Element): boolean {
  return blockIsRelated(el.parentElement);
}

/** Whether an element sits in the page's header, footer, navigation or menus. */
export function isPageChrome(el: Element | null): boolean {
  if (!el) return false;
  const known = chromeCache.get(el);
  if (known !== undefined) return known;
  const tag = el.tagName;
  // The page itself is not chrome, whatever its classes say ("has-mega-menu" on <body>).
  if (tag === 'BODY' || tag === 'HTML') return false;
  const role = el.getAttribute('role');
  const chrome =
    tag === 'HEADER' ||
    tag === 'FOOTER' ||
    tag === 'NAV' ||
    role === 'navigation' ||
    role === 'banner' ||
    /menu/i.test(classOf(el)) ||
    isPageChrome(el.parentElement);
  chromeCache.set(el, chrome);
  return chrome;
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
  heading: HeadingText,
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

export function readMicrodata(page: PageContext, heading: HeadingText): Reading | null {
  return readItemSource(page, heading, MICRODATA, 'microdata');
}
