/**
 * Microdata and RDFa both nest properties in elements: this turns their items into schema.org-shaped
 * objects (as JSON-LD has them), in one pass over the properties, so one reader serves all three.
 */
import * as LIMITS from '../limits.ts';
import { cleanText } from '../parse/text.ts';
import type { Thing } from './schema-org.ts';

/** The only properties detection reads: the rest (descriptions, reviews) is never turned into text. */
const WANTED = new Set([
  'name', 'brand', 'manufacturer', 'sku', 'mpn', 'gtin', 'gtin8', 'gtin12', 'gtin13', 'gtin14', 'isbn', 'productid',
  'image', 'url', 'offers', 'price', 'lowprice', 'highprice', 'minprice', 'pricecurrency', 'currency',
  'availability', 'pricespecification', 'pricetype', 'hasvariant', 'itemoffered', 'mainentity', 'identifier',
]);
/** Spelled as schema.org spells them. */
const CANONICAL: Record<string, string> = {
  productid: 'productID', lowprice: 'lowPrice', highprice: 'highPrice', minprice: 'minPrice',
  pricecurrency: 'priceCurrency', pricespecification: 'priceSpecification', pricetype: 'priceType',
  hasvariant: 'hasVariant', itemoffered: 'itemOffered', mainentity: 'mainEntity',
};

export interface Item {
  element: Element;
  thing: Thing;
  /** The property through which it hangs in another item, and that item's types (top-level: null). */
  via: { property: string; parent: Item } | null;
}

export interface ItemSyntax {
  scope: string; // selector of item elements
  typeAttr: string;
  propSelector: string;
  propAttr: string;
  /** Attributes holding a property's value, before the element's own kind is considered. */
  valueAttrs: readonly string[];
}

export const MICRODATA: ItemSyntax = {
  scope: '[itemscope]',
  typeAttr: 'itemtype',
  propSelector: '[itemprop]',
  propAttr: 'itemprop',
  valueAttrs: ['content'],
};

export const RDFA: ItemSyntax = {
  scope: '[typeof]',
  typeAttr: 'typeof',
  propSelector: '[property]',
  propAttr: 'property',
  valueAttrs: ['content', 'resource'],
};

function propertyNames(attr: string): string[] {
  const out: string[] = [];
  for (const token of attr.split(/\s+/).slice(0, 5)) {
    // "schema:price", "http://schema.org/price", "s:price"; Open Graph's "og:price" is the meta source's.
    if (/^(?:og|product|fb|twitter|article|al):/i.test(token)) continue;
    const name = token.replace(/^.*[/:#]/, '').toLowerCase();
    if (WANTED.has(name)) out.push(CANONICAL[name] ?? name);
  }
  return out;
}

const alnum = (s: string) => s.replace(/[^\p{L}\p{N}]/gu, '');

function valueOf(el: Element, syntax: ItemSyntax, name: string): string | null {
  for (const a of syntax.valueAttrs) {
    const v = el.getAttribute(a);
    if (v === null) continue;
    // An identifier as the page shows it ("466/7999" for content="4667999") is the one shoppers quote.
    if ((name === 'sku' || name === 'mpn') && el.childElementCount === 0) {
      const shown = cleanText(el.textContent, 100);
      if (shown && shown !== v && alnum(shown) === alnum(v)) return shown;
    }
    return v;
  }
  const tag = el.tagName.toLowerCase();
  const attr =
    tag === 'a' || tag === 'link' || tag === 'area'
      ? 'href'
      : tag === 'img' || tag === 'source' || tag === 'video' || tag === 'audio' || tag === 'iframe' || tag === 'embed'
        ? 'src'
        : tag === 'data' || tag === 'meter'
          ? 'value'
          : tag === 'time'
            ? 'datetime'
            : tag === 'object'
              ? 'data'
              : null;
  if (attr) {
    const v = el.getAttribute(attr);
    if (v !== null) return v;
  }
  return cleanText(el.textContent, 500);
}

function addProperty(thing: Thing, name: string, value: unknown): void {
  const old = thing[name];
  if (old === undefined) thing[name] = value;
  else if (Array.isArray(old)) {
    if (old.length < 100) old.push(value);
  } else thing[name] = [old, value];
}

/** All items of the page in the given syntax, with their (wanted) properties filled in. */
export function readItems(doc: Document, syntax: ItemSyntax): Item[] {
  const scopes = doc.querySelectorAll(syntax.scope);
  const items = new Map<Element, Item>();
  for (let i = 0; i < scopes.length && i < LIMITS.items; i++) {
    const el = scopes[i];
    if (!el) continue;
    const type = el.getAttribute(syntax.typeAttr) ?? '';
    items.set(el, { element: el, thing: { '@type': type.split(/\s+/).slice(0, 5) }, via: null });
  }
  if (!items.size) return [];
  const props = doc.querySelectorAll(syntax.propSelector);
  for (let i = 0; i < props.length && i < LIMITS.properties; i++) {
    const el = props[i];
    if (!el) continue;
    const names = propertyNames(el.getAttribute(syntax.propAttr) ?? '');
    if (!names.length) continue;
    // The item a property belongs to is the nearest item element above it (above itself, if it is one).
    const ownerEl = (items.has(el) ? el.parentElement : el)?.closest(syntax.scope);
    const owner = ownerEl ? items.get(ownerEl) : undefined;
    if (!owner) continue;
    const nested = items.get(el);
    for (const name of names) {
      if (nested) {
        nested.via = { property: name, parent: owner };
        addProperty(owner.thing, name, nested.thing);
      } else {
        const v = valueOf(el, syntax, name);
        if (v !== null) addProperty(owner.thing, name, v);
      }
    }
  }
  return [...items.values()];
}
