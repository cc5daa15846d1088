import { AVAILABILITIES, type Availability } from '../../availability.ts';

/**
 * Other spellings seen in markup, lower case without spaces, dashes or underscores (schema.org's names are
 * read that way too: "in_stock", "In Stock", "pre-order"): Open Graph's `oos`, feeds' `available`.
 */
const ALIASES: Record<string, Availability> = {
  available: 'InStock', availablefororder: 'InStock', oos: 'OutOfStock', unavailable: 'OutOfStock',
  notavailable: 'OutOfStock', pending: 'PreOrder', availableforpreorder: 'PreOrder',
};
const BY_LOWER = new Map<string, Availability>(AVAILABILITIES.map((a) => [a.toLowerCase(), a]));

/** A schema.org availability name from markup: `https://schema.org/InStock`, `InStock`, `instock`, `oos`. */
export function parseAvailability(value: unknown): Availability | null {
  if (typeof value !== 'string' || value.length > 100) return null;
  const v = value
    .trim()
    .replace(/^https?:\/\/(?:www\.)?(?:schema|data-vocabulary)\.org\//i, '')
    .replace(/^schema:/i, '')
    .replace(/[\s_-]/g, '')
    .toLowerCase();
  const a = BY_LOWER.get(v) ?? ALIASES[v] ?? null;
  // For a shopper "sold out" is "out of stock": shops use the two for the same state.
  return a === 'SoldOut' ? 'OutOfStock' : a;
}

/**
 * What a shopper reads next to a product ("Out of stock", "Nicht verfügbar", "Épuisé"...): a word that says
 * it cannot be bought now. Shown text only decides "out of stock"; "in stock" comes from a buy button.
 */
const OUT_OF_STOCK_TEXT = new RegExp(
  [
    'out of stock', 'sold out', 'no longer available', 'not available', 'unavailable',
    'nicht (?:mehr )?(?:verfügbar|lieferbar|auf lager)', 'ausverkauft', 'derzeit nicht', 'épuisé', 'en rupture',
    'indisponible', 'non disponibile', 'esaurito', 'agotado', 'sin stock', 'no disponible', 'esgotado',
    'indisponível', 'niedostępny', 'wyprzedany', 'nedostupn', 'vypredan', 'nincs készleten', 'stoc epuizat',
    'нет в наличии', 'распродан', '품절', '缺貨', '售完', 'slut i lager', 'udsolgt', 'utsolgt', 'loppu',
  ].join('|'),
  'i',
);

export function isOutOfStockText(text: string): boolean {
  return OUT_OF_STOCK_TEXT.test(text.slice(0, 300));
}
