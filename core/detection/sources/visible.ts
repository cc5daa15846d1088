/**
 * Evidence from what the page visibly shows, for shops without product markup: the main heading, the
 * price shown with it (not a crossed-out "was" price, not one from a list of other products), the buy
 * button, the stock message, breadcrumbs, and identifiers shown as "label: value" (SKU, model, brand).
 * Targeted selectors and capped lists: never a walk of the whole tree.
 */
import type { Availability } from '../../snapshot.ts';
import * as LIMITS from '../limits.ts';
import { isOutOfStockText } from '../parse/availability.ts';
import { currencyOfText } from '../parse/currency.ts';
import { parseGtin } from '../parse/gtin.ts';
import { parsePriceText } from '../parse/price.ts';
import { cleanText } from '../parse/text.ts';
import type { PageContext, Reading } from '../types.ts';
import { classOf, inRelatedBlock, isPageChrome, RELATED_WORDS } from './microdata.ts';
import { nameMatch, nameWords } from './schema-org.ts';

/** Class or id words of a former price shown crossed out ("was", "old price", "RRP"). */
const FORMER_PRICE = /old|was|strike|crossed|before|regular|original|list-?price|rrp|uvp|msrp|barr|anterior|antes|statt|vorher|prev|compare|full-?price/i;
/** Those, and the words of other amounts than the price paid now (shipping, instalments, unit prices). */
const NOT_CURRENT_PRICE = new RegExp(
  `${FORMER_PRICE.source}|retail|sav(e|ing)|discount|reduc|instead|alt-|from-price|unit-?price|per-?unit|basis|base-?price|grundpreis|ship|deliver|install|month|rate|emi|coupon|points|club|member|bonus|tax|vat`,
  'i',
);
/** Class words of the price paid now. */
const CURRENT_PRICE = /sale|current|final|now|actual|our|special|offer|main|big|large|product-?price|selling|promo|deal|new/i;
/** Text around an amount that makes it something else than the product's price. */
const NOT_PRICE_TEXT =
  /=|\/\s*(?:kg|g|l|ml|m|m²|100|st|stk|pc|mo|month|mes|mois|monat)|per (?:month|kg|unit)|\bx\s*\d+\s*(?:mois|months|cuotas|rate)|cuotas|installment|ratenzahlung|mensualit|shipping|delivery|versand|livraison|envío|spedizione|save|sparen|économisez|ahorra|risparmi|%/i;

/** Buttons that put the product in a cart, in the languages shops use. */
const BUY_TEXT = new RegExp(
  // Each alternative once: one that contains another ("sepete ekle", "sepete") would add nothing.
  [
    'add to (?:cart|basket|bag|trolley|order)', 'buy (?:it )?now', 'in den (?:warenkorb|einkaufswagen)',
    'jetzt kaufen', 'ajouter au panier', 'acheter', 'aggiungi al carrello', 'compra',
    '(?:añadir|agregar) al carrito', 'adicionar ao carrinho', 'do koszyka', 'kup teraz', 'do košíku',
    'kosárba', 'i varukorgen', 'köp', 'læg i kurv', 'legg i handlekurv', 'lisää ostoskoriin',
    'toevoegen aan winkelwagen', 'in winkelwagen', 'v košarico', 'u košaricu', 'ostukorvi', 'grozā', 'în coș',
    'в корзину', 'купить', 'у кошик', 'הוסף לסל', 'לקנייה', 'أضف إلى', 'اشتر', '장바구니', '구매하기', '바로구매', 'カートに入れる',
    '購入', '加入購物車', '加入购物车', '立即购买', '購買', 'sepete', 'bid', 'kupi', 'naruči', 'vložiť do košíka', 'pirkt',
  ].join('|'),
  'i',
);
const IN_STOCK_TEXT =
  /[ie]n stock|available|auf lager|lieferbar|sofort|disponibi?le|in magazzino|em estoque|na stanie|dostępn|skladem|raktáron|на складе|в наличии|(?:i|på) lager|varastossa|op voorraad|na zalogi|na skladu|laos|noliktavā|în stoc|在庫あり|有庫存|재고/i;

/** Labels of identifiers shown as "label: value", in table rows, definition lists and list items. */
const LABELS: { field: 'sku' | 'mpn' | 'brand' | 'gtin'; re: RegExp; weak?: boolean }[] = [
  { field: 'gtin', re: /^(?:ean|gtin|upc|isbn(?:-13)?|barcode|código (?:de barras|ean)|код товара ean)\b/i },
  {
    field: 'mpn',
    re: /^(?:mpn|(?:mfr\.?|manufacturer(?:s|'s|’s)?) part(?: no\.?| number)?|part (?:number|no\.?)|model(?: name)?(?:\s*\/\s*|\s)?(?:number|no\.?|code)?|item model number|numéro du modèle(?: de l'article)?|numero (?:di )?modello(?: articolo)?|modèle|référence fabricant|modell(?:nummer|o)?|hersteller(?:-?artikel)?nummer|modelo|codice produttore|numer katalogowy producenta|kód výrobc[eu]|ražotāja kods|tootja kood|型[號号]|모델명)$/i,
  },
  {
    field: 'sku',
    re: /^(?:sku|asin|(?:\w+ )?item (?:number|no\.?|#|code|id)|article (?:number|no\.?)|art(?:\.|ikel)[- ]?(?:nr|nummer)\.?|bestellnummer|product (?:code|id|number|no\.?|#)|id pro(?:duto|duit|dotto|ducto)|código(?: d(?:el? producto|o produto))|cod(?:ice|\.)? (?:articolo|prodotto|produs)|kód (?:produktu|tovaru)|kod (?:produktu|towaru)|nr katalogowy|šifra artikla|артикул|код товара|商品(?:編號|番号)|상품번호|stock code|numéro d'article|n° article)$/i,
  },
  // Bare "Ref." or "Code" also name other references (the maker's): used when nothing better is shown.
  { field: 'sku', weak: true, re: /^(?:réf(?:érence)?\.?|ref\.?|código|cod(?:ice|\.)?|kód|kod|šifra|код|code)$/i },
  {
    field: 'brand',
    re: /^(?:brand|make|make\s*\/\s*manufacturer|marke|hersteller|marque|fabricant|marca|merk|značka|marka|márka|zīmols|ražotājs|tootja|proizvođač|výrobc[ae]|gyártó|producent|producător|бренд|производитель|manufacturer|品牌|ブランド|브랜드)$/i,
  },
];

/**
 * Texts that start with one of those labels, followed by what may end a label (what labelOf trims after
 * one, or a parenthesis), or that hold a parenthesis: labels are read with parenthesised words taken out.
 * Keep the two in step: a text this rejects is not read further.
 */
const LABEL_START = new RegExp(`${LABELS.map(({ re }) => re.source.replace(/\$$/, '(?:[\\s:：#.\\-–(]|$)')).join('|')}|\\(`, 'i');

/** "Visit the Bosch Store", "Brand: Bosch", "Marke: Bosch": a brand shown as a byline. */
const BRAND_LINE =
  /^(?:(?:visit|besuche|visita|visiter|visitez|bezoek)\s+(?:the|den|lo|la|le|de)?\s*(?:store\s+(?:di|de)\s+|boutique\s+)?(.+?)(?:[- ]store|[- ]shop|\s+boutique)?|(?:brand|marke|marque|marca|merk)\s*:\s*(.+))$/i;

const SPACES = /[\s\u00a0\u200b\u200e\u200f]+/g;
/** Spaces that collapsing would change: most short texts, once trimmed, have none, and are kept as they are. */
const UNCOLLAPSED = /[^\S ]| {2}|[\u200b\u200e\u200f]/;

/** Whitespace runs as one space, trimmed. */
function collapse(raw: string): string {
  return squeeze(raw.trim()).trim();
}

/** Runs of whitespace as one space, not trimmed: a text read in parts keeps the space between them. */
function squeeze(raw: string): string {
  return UNCOLLAPSED.test(raw) ? raw.replace(SPACES, ' ') : raw;
}
/** Text that is not all whitespace. */
const NOT_BLANK = /[^\s\u00a0\u200b\u200e\u200f]/;

/**
 * An element's text, whitespace collapsed and bounded: its first `max` characters, read from at most
 * `bound` characters of its text nodes. The DOM has decoded entities and holds no tags in text, so the
 * heavier cleaning of markup strings is not needed here (this runs on hundreds of elements).
 */
function text(el: Element | null | undefined, max: number = LIMITS.shortText, bound = max * 4, label = false): string | null {
  if (!el) return null;
  let t: string;
  if (el.childElementCount === 0) {
    // A leaf's text is its own text nodes: one call is cheaper than the walk.
    t = collapse((el.textContent ?? '').slice(0, bound));
  } else {
    const read = textCollapsing(el, max, bound, label);
    if (read === null) return null;
    t = collapse(read);
  }
  if (!t) return null;
  return t.length > max ? t.slice(0, max).trim() : t;
}

/**
 * The text nodes of `el` in order (as `textContent` has them), up to `bound` characters, whitespace runs
 * squeezed as they are read, stopping once more than `max` characters are known: pages indent their
 * markup, and many elements start with hundreds of blank characters before a few words.
 * `label`: null when the text starts inside a link or a button (within the first 12 nodes), a menu entry
 * or a control rather than a label: most label candidates of a page are such list items, their link
 * often wrapped in a span.
 */
function textCollapsing(el: Element, max: number, bound: number, label: boolean): string | null {
  let out = '';
  let read = 0;
  let steps = 0;
  let node: Node | null = el.firstChild;
  while (node) {
    const type = node.nodeType;
    if (type === 3 || type === 4) {
      let d = node.nodeValue ?? '';
      const last = read + d.length >= bound;
      if (last) d = d.slice(0, bound - read);
      read += d.length;
      if (!NOT_BLANK.test(d)) {
        // Blank text only separates words: one space stands for it.
        if (d && out && !out.endsWith(' ')) out += ' ';
      } else {
        out += d;
        if (out.length > max) {
          out = squeeze(out).trimStart();
          if (out.length > max) return out;
        }
      }
      if (last) return out;
    } else if (type === 1) {
      if (label && !out && steps < 12) {
        const tag = (node as Element).tagName;
        if (tag === 'A' || tag === 'BUTTON') return null;
      }
      if (node.firstChild) {
        steps++;
        node = node.firstChild;
        continue;
      }
    }
    steps++;
    let next: Node | null = node.nextSibling;
    while (!next) {
      node = node.parentNode;
      if (!node || node === el) return out;
      next = node.nextSibling;
    }
    node = next;
  }
  return out;
}

/** Ancestors of an element with their distance, up to a bound. */
function ancestors(el: Element, max = 40): Map<Element, number> {
  const map = new Map<Element, number>();
  let node: Element | null = el;
  for (let d = 0; node && d < max; d++, node = node.parentElement) map.set(node, d);
  return map;
}

/** Steps up from `el` to the nearest ancestor it shares with the heading, plus the heading's steps up to it. */
function distance(el: Element, headingAncestors: Map<Element, number>): number {
  let node: Element | null = el;
  for (let d = 0; node && d < 40; d++, node = node.parentElement) {
    const h = headingAncestors.get(node);
    if (h !== undefined) return d + h;
  }
  return 80;
}

function classAndId(el: Element): string {
  const c = classOf(el);
  return c.length < 300 ? `${c} ${el.id ?? ''}` : el.id ?? '';
}

/**
 * Whether the element or its near ancestors look like a price that is not the current one: 'former' when
 * crossed out or named as a former price, 'other' for other amounts (shipping, instalments, unit prices).
 */
function notCurrent(el: Element): 'former' | 'other' | null {
  let node: Element | null = el;
  for (let i = 0; node && i < 4; i++, node = node.parentElement) {
    const tag = node.tagName;
    if (tag === 'DEL' || tag === 'S' || tag === 'STRIKE') return 'former';
    const names = classAndId(node);
    if (NOT_CURRENT_PRICE.test(names)) return FORMER_PRICE.test(names) ? 'former' : 'other';
    const style = node.getAttribute('style');
    if (style && /line-through/i.test(style)) return 'former';
  }
  return null;
}

/**
 * The elements the visible heuristics look at, gathered in one bounded pass over the page: by tag, and by
 * the words of their class and id (one pattern test per distinct class, and per id). Case-insensitive
 * attribute selectors would walk the page once per word, several times slower. The pass knows when it is
 * inside a block of other products (a carousel, "customers also bought"): buttons, stock messages, brands
 * and labels found there are not the page's own and are left out, without a walk up from each of them.
 */
export interface PageScan {
  h1s: Element[];
  /** Elements titled like a heading (h2, class or id "title", "name"). */
  titles: Element[];
  prices: Element[];
  buttons: Element[];
  /** Elements named as buy buttons by their id or class ("add-to-cart", "buy-now"). */
  buyNamed: Element[];
  stock: Element[];
  brands: Element[];
  labels: Element[];
  breadcrumbs: boolean;
}

/** The kinds of element a class or id names, as bits (a `const enum`: the build writes the numbers in place). */
const enum Kind {
  Price = 1,
  Buy = 2,
  Button = 4,
  Stock = 8,
  Brand = 16,
  Label = 32,
  Title = 64,
  Crumb = 128,
  /** A block of other products (RELATED_WORDS). */
  Related = 256,
}

/** Words of class and id names, with the kinds of element they name. */
const WORDS: [number, string][] = [
  [Kind.Price, 'price|prix|preis|precio|prezzo|preco|cena|pret|hinta|amount|cost'],
  [Kind.Buy | Kind.Button, 'cart|buy'],
  [Kind.Buy, 'basket|add-?to'],
  [Kind.Button, 'btn|button|cta'],
  [Kind.Stock, 'availab|stock|lager|dispon'],
  [Kind.Brand, 'brand|byline'],
  [Kind.Label | Kind.Title, 'title'],
  [Kind.Label, 'label|sku|code|article|ref|num|attr|spec|detail|meta'],
  [Kind.Title, 'name'],
  [Kind.Crumb, 'breadcrumb'],
  [Kind.Related, RELATED_WORDS],
];
/** Each word, as a match spells it (lower case, no hyphen), with the kinds it names. No word starts another. */
const KINDS = new Map(WORDS.flatMap(([bits, words]) => words.split('|').map((word) => [word.replace('-?', ''), bits] as const)));
/**
 * All of them in one pattern, without groups: a name is read once, not once per kind, and a match makes no
 * array of groups. Sorted, which lets the pattern engine try words that share their first letters together.
 */
const WORD = new RegExp(WORDS.flatMap(([, words]) => words.split('|')).sort().join('|'), 'gi');

const LABEL_TAGS = new Set(['TR', 'DT', 'LI', 'TH', 'STRONG', 'B', 'H4', 'H5', 'LABEL']);
/** Elements that show no text, whatever their class says ("product-title" images, styles). */
const NO_TEXT = new Set(['IMG', 'INPUT', 'IFRAME', 'svg', 'path', 'SCRIPT', 'STYLE']);

/** The kinds of element a name says, from every word in it (words that overlap too: "cartitle"). */
function wordsOf(names: string): number {
  let bits = 0;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(names); m; m = WORD.exec(names)) {
    bits |= KINDS.get(m[0].toLowerCase().replace('-', '')) ?? 0;
    WORD.lastIndex = m.index + 1;
  }
  return bits;
}

function push(list: Element[], el: Element, max: number): void {
  if (list.length < max) list.push(el);
}

export function scanPage(doc: Document): PageScan {
  const scan: PageScan = { h1s: [], titles: [], prices: [], buttons: [], buyNamed: [], stock: [], brands: [], labels: [], breadcrumbs: false };
  // A live collection is the browser's cheapest walk; DOMs without it (linkedom) answer querySelectorAll.
  const root = doc.body ?? doc.documentElement;
  if (!root) return scan;
  const live = root.getElementsByTagName('*');
  // Not its length: counting a live collection walks the page once more.
  const all: ArrayLike<Element> = live[0] ? live : root.querySelectorAll('*');
  const n = LIMITS.scannedElements;
  // Templates repeat the same class names: each distinct one is tested once. The DOM hands out the same
  // string for the same class, so the lookup is cheap.
  const known = new Map<string, number>();
  // The last element of the block of other products the walk is in, if it is in one.
  let relatedEnd: Element | null = null;
  for (let i = 0; i < n; i++) {
    const el = all[i];
    if (!el) break;
    let related = relatedEnd !== null;
    if (el === relatedEnd) relatedEnd = null;
    const tag = el.tagName; // upper case in HTML documents; other namespaces (SVG) are not looked at
    if (tag === 'H1') push(scan.h1s, el, 10);
    else if (tag === 'H2') push(scan.titles, el, 300);
    const cls = classOf(el);
    let bits = 0;
    // A class list too long to be a name (generated styles) is not looked at.
    if (cls && cls.length < 300) {
      const seen = known.get(cls);
      if (seen === undefined) known.set(cls, (bits = wordsOf(cls)));
      else bits = seen;
    }
    const id = el.id;
    if (id) bits |= wordsOf(id);
    // Its descendants are in a block of other products (as blockIsRelated has it: an aside, or named so; the
    // page's main content is its own, whatever holds it).
    if (tag === 'MAIN') {
      related = false;
      relatedEnd = null;
    } else if (!related && (tag === 'ASIDE' || bits & Kind.Related)) {
      // Its last descendant in document order (none when it holds no element).
      relatedEnd = el.lastElementChild;
      while (relatedEnd?.lastElementChild) relatedEnd = relatedEnd.lastElementChild;
    }
    const isButton = tag === 'BUTTON' || (tag === 'INPUT' && /^(?:submit|button|image)$/i.test(el.getAttribute('type') ?? ''));
    if (isButton && !related) push(scan.buttons, el, LIMITS.buttons);
    const labelTag = LABEL_TAGS.has(tag);
    if (labelTag && !related) push(scan.labels, el, LIMITS.labelRows);
    if (!bits) continue;
    if (bits & Kind.Price) push(scan.prices, el, LIMITS.priceCandidates);
    if (!related) {
      if (bits & Kind.Buy) push(scan.buyNamed, el, LIMITS.buttons);
      if (!isButton && (tag === 'A' || tag === 'DIV' || tag === 'SPAN') && bits & Kind.Button) push(scan.buttons, el, LIMITS.buttons);
      if (bits & Kind.Stock) push(scan.stock, el, 60);
      if (bits & Kind.Brand) push(scan.brands, el, 30);
      if (!labelTag && bits & Kind.Label && !NO_TEXT.has(tag)) push(scan.labels, el, LIMITS.labelRows);
    }
    if (tag !== 'H2' && bits & Kind.Title) push(scan.titles, el, 300);
    if (bits & Kind.Crumb) scan.breadcrumbs = true;
  }
  return scan;
}

/**
 * The main heading: the `h1` named like the page's title (pages also use `h1` for pop-ups and logos),
 * else an element titled like the page (shops without `h1`), else the first `h1` with text.
 */
export function mainHeading(scan: PageScan, pageTitle: string | null): Element | null {
  const h1s = scan.h1s;
  // The title's words, made once: it is compared with up to hundreds of elements.
  const title = pageTitle ? nameWords(pageTitle) : null;
  let best: Element | null = null;
  let bestMatch = 0;
  let firstWithText: Element | null = null;
  for (let i = 0; i < h1s.length && i < 10; i++) {
    const h = h1s[i];
    const t = text(h, 300);
    // Shops also use h1 for their logo and for category navigation.
    if (!h || !t || /nav|menu|logo|brand/i.test(classAndId(h)) || isPageChrome(h)) continue;
    firstWithText ??= h;
    const m = nameMatch(t, title);
    if (m > bestMatch + 0.05) {
      best = h;
      bestMatch = m;
    }
  }
  if (best && bestMatch >= 0.3) return best;
  if (title) {
    const list = scan.titles;
    for (let i = 0; i < list.length && i < 300; i++) {
      const el = list[i];
      if (!el || el.childElementCount > 3) continue;
      const t = text(el, 200);
      if (!t || t.length < 4 || t.length > 150) continue;
      const words = nameWords(t);
      const m = Math.min(nameMatch(words, title), nameMatch(title, words) + 0.2);
      if (m > bestMatch + 0.05 && m >= 0.6) {
        best = el;
        bestMatch = m;
      }
    }
  }
  return best && bestMatch >= 0.3 ? best : firstWithText;
}

/** Short texts that show an amount with a currency, in the block around the heading (not `known` ones). */
function pricesNearHeading(heading: Element, page: PageContext, known: Set<Element>): Element[] {
  let block: Element | null = heading;
  for (let i = 0; i < 4 && block?.parentElement && block.parentElement.tagName !== 'BODY'; i++) block = block.parentElement;
  if (!block) return [];
  // Live: only the first elements are looked at, and a static list would hold the whole block.
  const live = block.getElementsByTagName('*');
  // Not its length: counting a live collection walks the whole block.
  const all: ArrayLike<Element> = live[0] ? live : block.querySelectorAll('*');
  const out: Element[] = [];
  for (let i = 0; i < LIMITS.priceCandidates; i++) {
    const el = all[i];
    if (!el) break;
    if (known.has(el) || el.childElementCount > 2) continue;
    // Its text from at most 61 characters, whitespace collapsed: an amount shown with its currency is short.
    const t = text(el, 61, 61) ?? '';
    if (t.length > 60 || !/\d/.test(t)) continue;
    if (currencyOfText(t, page) !== null || /[元원円]/.test(t)) out.push(el);
  }
  return out;
}

interface PriceShown {
  amount: string;
  currency: string | null;
  score: number;
}

interface PricesShown {
  best: PriceShown | null;
  /** Amounts shown crossed out or as a former price, anywhere but in lists of other products. */
  was: string[];
}

function pricesShown(page: PageContext, scan: PageScan, heading: Element | null, headingAncestors: Map<Element, number>): PricesShown {
  const list: Element[] = [...scan.prices];
  if (heading) list.push(...pricesNearHeading(heading, page, new Set(list)));
  let best: PriceShown | null = null;
  const was: string[] = [];

  /** Scores one candidate, the i-th; `elsewhere`: in a list of other products or the page's chrome. */
  const scored = (el: Element, i: number, elsewhere: boolean, near: number): PriceShown | null => {
    const t = text(el, 80);
    if (!t || t.length > 60 || !/\d/.test(t)) return null;
    const parsed = parsePriceText(t);
    if (!parsed) return null;
    // The heading names the product; an amount in it ("$150K dress") is not its price.
    if (heading && (heading.contains(el) || el.contains(heading))) return null;
    // Text holding a crossed-out amount reads it first: that element is not the current price.
    if (el.childElementCount > 0 && el.querySelector('del, s, strike')) return null;
    const currency = currencyOfText(t, page);
    // An amount without a currency is often a number of another kind (an id, a quantity).
    let score = currency ? 2 : -1;
    if (NOT_PRICE_TEXT.test(t)) score -= 4;
    const kind = notCurrent(el);
    if (kind) {
      score -= 8;
      if (kind === 'former' && !elsewhere && near <= 12 && was.length < 20) was.push(parsed.amount);
    }
    if (CURRENT_PRICE.test(classAndId(el))) score += 1;
    if (elsewhere) score -= 6;
    if (heading) score += Math.max(0, 8 - near) * 0.75;
    // Text beyond the amount and its currency ("Only 3 left at") makes it less likely a price element.
    const words = parsed.rest.replace(/[^\p{L}]/gu, '').length;
    if (words > 8) score -= words > 16 ? 3 : 1.5;
    // The first price element wins ties: shops show the product's price before others' prices.
    return { amount: parsed.amount, currency, score: score - i * 0.002 };
  };

  // Most candidates sit in lists of other products, or far from the heading: they give no "was" price, and
  // score at most their bound (a currency, a "current" class, closeness to the heading, -6 elsewhere). They
  // are read only when they could still beat the best of the others; whether they are elsewhere is asked
  // only then (a walk up from each costs about as much as the text).
  const later: { el: Element; i: number; near: number; elsewhere?: boolean }[] = [];
  for (let i = 0; i < list.length; i++) {
    const el = list[i];
    if (!el || el.childElementCount > 6) continue;
    if (/^(?:SCRIPT|STYLE|META|INPUT|SELECT|OPTION)$/.test(el.tagName)) continue;
    const near = heading ? distance(el, headingAncestors) : 80;
    if (near > 12) later.push({ el, i, near });
    else if (inRelatedBlock(el) || isPageChrome(el)) later.push({ el, i, near, elsewhere: true });
    else {
      const c = scored(el, i, false, near);
      if (c && (!best || c.score > best.score)) best = c;
    }
  }
  for (const candidate of later) {
    const { el, i, near } = candidate;
    const bound = 3 + (heading ? Math.max(0, 8 - near) * 0.75 : 0) - i * 0.002;
    if (best && bound <= best.score) continue;
    const elsewhere = (candidate.elsewhere ??= inRelatedBlock(el) || isPageChrome(el));
    if (best && elsewhere && bound - 6 <= best.score) continue;
    const c = scored(el, i, elsewhere, near);
    if (c && (!best || c.score > best.score)) best = c;
  }
  return { best: best && best.score > 1 ? best : null, was };
}

/** Buttons whose id or class says what they do, whatever their (often empty: an image) text. */
const BUY_NAME = /buy[-_]?(?:btn|button|now)|add[-_]?to[-_]?(?:cart|basket|bag)|addtocart|addtobasket/i;

function isBuyButton(el: Element, byName: boolean): boolean {
  if (el.childElementCount > 8 || el.hasAttribute('disabled') || el.getAttribute('aria-disabled') === 'true') return false;
  if (byName && BUY_NAME.test(classAndId(el))) return true;
  const t = (text(el, 60) ?? '') + ' ' + (el.getAttribute('value') ?? '') + ' ' + (el.getAttribute('title') ?? '');
  return t.length > 3 && t.length < 140 && BUY_TEXT.test(t);
}

/**
 * An enabled button that puts the product in the cart: named so (id, class), or saying so. The scan leaves
 * out buttons, stock messages, brands and labels in blocks of other products.
 */
function hasBuyButton(scan: PageScan): boolean {
  return scan.buyNamed.some((el) => isBuyButton(el, true)) || scan.buttons.some((el) => isBuyButton(el, false));
}

function stockShown(scan: PageScan): Availability | null {
  const list = scan.stock;
  let inStock = false;
  for (let i = 0; i < list.length && i < 60; i++) {
    const el = list[i];
    if (!el || el.childElementCount > 10) continue;
    const t = text(el, 200);
    if (!t || t.length > 150) continue;
    // "Image not available" is about a picture, not the product.
    if (isOutOfStockText(t) && !/image|immagine|bild|photo|foto|video|obrázek|zdjęcie/i.test(t)) return 'OutOfStock';
    if (IN_STOCK_TEXT.test(t)) inStock = true;
  }
  return inStock ? 'InStock' : null;
}

interface Labelled {
  sku?: string;
  mpn?: string;
  brand?: string;
  gtin?: string;
  /** The SKU was read under a label that may name another reference ("Ref."), or one that is exact. */
  skuWeak?: boolean;
  skuExact?: boolean;
  /** Identifiers shown beside the heading (not in a list of parts or other products). */
  nearHeading?: boolean;
  /** Distinct values shown under clear SKU labels: more than one is a list (of parts, of variants). */
  skuValues: Set<string>;
}

/** The field a label names ("SKU", "Model number", "Marke"...), or null. */
function labelOf(label: string): (typeof LABELS)[number] | null {
  // "Manufacturer Part Number (MPN):" → "Manufacturer Part Number"
  const bare = label.replace(/\s*\([^)]{0,20}\)/g, '');
  // "Item #:" keeps its "#" (a label of its own); "SKU #:" and "Ref.:" read without it.
  for (const l of [bare.replace(/[\s:：.\-–\u200e\u200f]+$/u, '').trim(), bare.replace(/[\s:：#.\-–\u200e\u200f]+$/u, '').trim()]) {
    if (!l || l.length > 40) return null;
    const found = LABELS.find(({ re }) => re.test(l));
    if (found) return found;
  }
  return null;
}

function setLabelled(out: Labelled, label: string, value: string | null): boolean {
  if (!value || value.length > 80) return false;
  const found = labelOf(label);
  if (!found) return false;
  const { field, weak } = found;
  // "SKU" and "ASIN" say exactly what they are; other labels give way to them.
  const exact = field === 'sku' && /^(?:sku|asin)\b/i.test(label.trim());
  if (field === 'sku' && !weak && out.skuValues.size < 5) out.skuValues.add(value.trim().split(/\s/)[0] ?? '');
  if (out[field] !== undefined && !(field === 'sku' && ((out.skuWeak && !weak) || (exact && !out.skuExact)))) return false;
  const v = value.replace(/^[\s:：\-–\u200e\u200f]+/u, '').trim();
  if (!v) return false;
  if (field === 'gtin') {
    const g = parseGtin(v);
    if (g) out.gtin = g;
  } else if (field === 'brand' || /^[\p{L}\p{N}][\p{L}\p{N}./_ -]{0,40}$/u.test(v)) {
    // An identifier is one short code: "Product code: 123 Help your skin..." keeps its first word.
    out[field] = field === 'brand' ? v : (/\s/.test(v) && v.length > 20 ? (v.split(/\s/)[0] ?? v) : v);
    if (field === 'sku') {
      out.skuWeak = weak === true;
      out.skuExact = exact;
    }
  }
  return true;
}

/**
 * Whether an element's text may start with a label. Most label candidates are menu entries and other
 * texts: their first characters tell, and the rest is not read. A label is at most 40 characters once
 * parenthesised words are taken out, so a text with a parenthesis goes on to the full check. A text that
 * starts inside a link or a button is not a label (see textCollapsing).
 */
function mayBeLabel(el: Element | undefined): boolean {
  return LABEL_START.test(text(el, 44, 560, true) ?? '');
}

/** "Label: value", "Label - value". */
const LABEL_VALUE = /^([^:：]{1,40}?)\s*(?:[:：]|\s[-–]\s)\s*(.+)$/u;

/**
 * Identifiers shown as label and value: table rows (label and value cells in pairs), definition lists,
 * "Label: value" texts, and a label element followed by its value (`<h4>Item no.</h4><div>123</div>`).
 */
function labelledIdentifiers(scan: PageScan, headingAncestors: Map<Element, number>): Labelled {
  const out: Labelled = { skuValues: new Set() };
  let skuBefore: string | undefined;
  const list = scan.labels;
  for (let i = 0; i < list.length && i < LIMITS.labelRows; i++) {
    const el = list[i];
    const count = el ? el.childElementCount : 0;
    if (!el || count > 8) continue;
    const tag = el.tagName;
    // List items holding lists are menus. Most of a page's list items are (and hold whole sub-menus).
    if (tag === 'LI' && count > 3) continue;
    if (tag === 'TR') {
      const cells = el.children;
      for (let c = 0; c + 1 < cells.length && c < 6; c += 2) {
        if (mayBeLabel(cells[c])) setLabelled(out, text(cells[c], 60) ?? '', text(cells[c + 1], 100));
      }
      continue;
    }
    if (tag === 'DT') {
      const dd = el.nextElementSibling;
      if (dd && dd.tagName === 'DD' && mayBeLabel(el)) setLabelled(out, text(el, 60) ?? '', text(dd, 100));
      continue;
    }
    // Its label starts its text, or its first child's (read below when it has two).
    if (!mayBeLabel(el) && (count !== 2 || !mayBeLabel(el.children[0]))) continue;
    // A product's header may hold its code: list items are skipped when in a menu, which is asked only of
    // the few that may hold a label (a walk up from each costs more than reading their first words).
    if (tag === 'LI' && isPageChrome(el)) continue;
    const t = text(el, 140);
    if (!t || t.length > 120) continue;
    if (labelOf(t)) {
      // The element is the label: its value follows it, or fills the rest of its parent.
      const next = el.nextElementSibling;
      const parentText = el.parentElement && el.parentElement.childElementCount <= 4 ? text(el.parentElement, 140) : null;
      const rest = parentText?.startsWith(t) ? parentText.slice(t.length) : null;
      if (!setLabelled(out, t, rest && rest.trim() ? rest : next ? text(next, 100) : null) && next) setLabelled(out, t, text(next, 100));
      continue;
    }
    const m = LABEL_VALUE.exec(t);
    if (m && setLabelled(out, m[1] ?? '', m[2] ?? '')) continue;
    if (el.childElementCount === 2) setLabelled(out, text(el.children[0], 60) ?? '', text(el.children[1], 100));
    if (out.sku !== skuBefore) {
      skuBefore = out.sku;
      out.nearHeading = headingAncestors.size > 0 && distance(el, headingAncestors) <= 10;
    }
    if (out.sku && out.skuExact && out.mpn && out.brand && out.gtin) break;
  }
  return out;
}

function brandShown(scan: PageScan): string | null {
  const list = scan.brands;
  for (let i = 0; i < list.length && i < 30; i++) {
    const el = list[i];
    if (!el || el.childElementCount > 4 || isPageChrome(el)) continue;
    const t = text(el, 100);
    if (!t || t.length > 80) continue;
    const m = BRAND_LINE.exec(t);
    if (m) return cleanText(m[1] ?? m[2], 100);
  }
  return null;
}

/**
 * What the page shows. `decides`: nothing else says the page is a product page, so a reading that cannot
 * say so either is cut short (no heading; or no price, stock message, breadcrumbs or buy button).
 */
export function readVisible(page: PageContext, scan: PageScan, heading: Element | null, decides = false): Reading {
  const name = heading ? text(heading, 500) : null;
  if (decides && name === null) return { source: 'visible', signal: 0 };
  const headingAncestors = heading ? ancestors(heading) : new Map<Element, number>();
  const { best: price, was } = pricesShown(page, scan, heading, headingAncestors);
  const buy = hasBuyButton(scan);
  const stock = stockShown(scan);
  const crumbs = scan.breadcrumbs;
  // What `shown` below needs whatever the identifiers say: without it, they are not read when this decides.
  const mayShow = price !== null || stock === 'OutOfStock' || crumbs || buy;
  if (decides && !mayShow) return { source: 'visible', signal: 0, name };
  const ids = labelledIdentifiers(scan, headingAncestors);
  // A buy button is the surest sign: stock messages also describe sizes and other products.
  const availability: Availability | null = buy ? 'InStock' : stock;
  // A page shows a product when its heading comes with a price or a stock message, and a way to buy it
  // (or to learn that it cannot be bought), or identifiers; or, with no price shown (sold out, or sold by
  // others), with its own clearly labelled SKU and the shop's breadcrumbs or buy button.
  const labelledSku = ids.sku !== undefined && !ids.skuWeak;
  const shown =
    name !== null &&
    mayShow &&
    (((price !== null || stock === 'OutOfStock') && (buy || stock !== null || ids.sku !== undefined || crumbs)) ||
      (labelledSku && (crumbs || buy)));
  return {
    source: 'visible',
    signal: shown ? 1 : 0,
    name,
    price: price?.amount ?? null,
    currency: price?.currency ?? null,
    wasPrices: was.filter((a) => a !== price?.amount),
    availability,
    brand: ids.brand ?? brandShown(scan),
    gtin: ids.gtin ?? null,
    mpn: ids.mpn ?? null,
    sku: ids.sku ?? null,
    skuShown: ids.sku !== undefined && !ids.skuWeak && (ids.nearHeading === true || ids.skuValues.size === 1),
  };
}
