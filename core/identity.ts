/**
 * Product identity: when are two descriptions (from two retailers, or two visits) the same real product?
 * Pure: used by the server to pool intents and by the extension to match its local history.
 *
 * Evidence, strongest first: a GTIN (normalised to 14 digits), else brand + MPN, else a conservative match
 * of brand and normalised name in which every distinguishing attribute (model numbers, qualifiers such as
 * "Pro", sizes and capacities, colours, years, pack counts) must agree. A false merge pools shoppers who
 * want different things, which is worse than two pools for one product (those merge later when a GTIN
 * shows up), so every doubt means "not the same".
 */

export interface IdentityInput {
  name: string;
  brand?: string | null | undefined;
  gtin?: string | null | undefined;
  mpn?: string | null | undefined;
}

/** What a product name says once the noise is gone; each list sorted and without duplicates. */
export interface NameSignature {
  /** Tokens mixing letters and digits ("wh1000xm5", "s24") and bare numbers that are not years ("15"). */
  models: string[];
  /** Words that make a different model of the same line: pro, max, plus, ultra, mini... */
  qualifiers: string[];
  /** Quantities with a canonical unit: "128gb", "55in", "500ml", "1000g". */
  measures: string[];
  /** Canonical English colour names ("noir" and "black" are both "black"). */
  colours: string[];
  years: string[];
  /** Clothing sizes (xs, xl...) and pack counts ("x6"). */
  sizes: string[];
  /** Accessory markers (case, cable, "for"...): an iPhone case is not an iPhone. */
  kinds: string[];
  /** Everything else: the words that remain, compared loosely. */
  words: string[];
}

export interface ProductIdentity {
  /** 14 digits, check digit verified; null when absent or invalid. */
  gtin: string | null;
  brandKey: string | null;
  mpnKey: string | null;
  /** Every attribute of the name that must agree, as one string: equal keys are a precondition of a name match. */
  attrKey: string;
  /** brandKey + attrKey + words: equal keys always match by name. */
  nameKey: string;
  signature: NameSignature;
}

/** Lower case, accents removed, compatibility forms folded ("ﬁ" → "fi", full-width digits → digits). */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** GTIN check digit (GS1 mod 10) over a string of digits. */
export function hasValidGtinCheckDigit(digits: string): boolean {
  if (!/^\d+$/.test(digits) || digits.length < 8) return false;
  let sum = 0;
  for (let i = digits.length - 2, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += Number(digits[i]) * weight;
  }
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

/**
 * GTIN-8, -12 (UPC-A), -13 (EAN) or -14 as the 14-digit form: left-padded with zeros, so a UPC-A and the
 * EAN-13 that prints it with a leading 0 are equal. Separators are tolerated; a wrong check digit or an
 * all-zero code gives null.
 */
export function normaliseGtin(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const digits = raw.replace(/[\s.-]/g, '');
  if (!/^(\d{8}|\d{12,14})$/.test(digits)) return null;
  if (/^0+$/.test(digits) || !hasValidGtinCheckDigit(digits)) return null;
  return digits.padStart(14, '0');
}

const CORPORATE_SUFFIXES = new Set([
  'inc', 'incorporated', 'ltd', 'limited', 'llc', 'gmbh', 'ag', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv',
  'co', 'corp', 'corporation', 'company', 'plc', 'kg', 'ab', 'oy', 'as',
]);

/** "Hewlett-Packard Inc." → "hewlettpackard"; null when nothing is left. */
export function normaliseBrand(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const words = fold(raw)
    .replace(/&/g, ' and ')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  while (words.length > 1 && CORPORATE_SUFFIXES.has(words[words.length - 1]!)) words.pop();
  const key = words.join('');
  return key.length > 0 ? key : null;
}

/** "WH-1000XM5/B" → "WH1000XM5B". Too short to identify anything (< 3 characters), or a GTIN in disguise: null. */
export function normaliseMpn(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const key = fold(raw)
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
  if (key.length < 3) return null;
  // Some shops put the EAN in the MPN field: it is a GTIN then, not a manufacturer part number.
  if (/^\d{12,14}$/.test(key) && hasValidGtinCheckDigit(key)) return null;
  return key;
}

const COLOURS: Record<string, string> = {
  noir: 'black', noire: 'black', black: 'black', schwarz: 'black',
  blanc: 'white', blanche: 'white', white: 'white', weiss: 'white',
  bleu: 'blue', bleue: 'blue', blue: 'blue', marine: 'navy', navy: 'navy',
  rouge: 'red', red: 'red',
  vert: 'green', verte: 'green', green: 'green',
  gris: 'grey', grise: 'grey', grey: 'grey', gray: 'grey', graphite: 'graphite',
  argent: 'silver', argente: 'silver', silver: 'silver',
  dore: 'gold', gold: 'gold',
  rose: 'pink', pink: 'pink',
  violet: 'purple', violette: 'purple', purple: 'purple', mauve: 'purple',
  jaune: 'yellow', yellow: 'yellow',
  orange: 'orange',
  beige: 'beige', creme: 'cream', cream: 'cream',
  marron: 'brown', brun: 'brown', brown: 'brown',
  titane: 'titanium', titanium: 'titanium',
  turquoise: 'turquoise', bordeaux: 'burgundy', burgundy: 'burgundy',
  minuit: 'midnight', midnight: 'midnight', 'lumiere stellaire': 'starlight', starlight: 'starlight',
};

const QUALIFIERS = new Set([
  'pro', 'max', 'plus', 'ultra', 'mini', 'lite', 'air', 'se', 'fe', 'neo', 'slim', 'xl', 'edge', 'prime',
]);

const ACCESSORY_WORDS: Record<string, string> = {
  coque: 'case', housse: 'case', etui: 'case', case: 'case', cover: 'case',
  cable: 'cable', chargeur: 'charger', charger: 'charger', adaptateur: 'adapter', adapter: 'adapter',
  film: 'protector', protection: 'protector', protector: 'protector', verre: 'protector',
  support: 'mount', mount: 'mount', stand: 'mount',
  recharge: 'refill', refill: 'refill', remplacement: 'replacement', replacement: 'replacement',
  pour: 'for', for: 'for', compatible: 'for',
  reconditionne: 'refurbished', refurbished: 'refurbished', occasion: 'used', used: 'used',
};

const STOP_WORDS = new Set([
  'de', 'du', 'des', 'la', 'le', 'les', 'l', 'd', 'et', 'avec', 'en', 'au', 'aux', 'un', 'une', 'sans',
  'the', 'and', 'with', 'a', 'an', 'of', 'in', 'by', 'new', 'neuf', 'nouveau', 'nouvelle',
  'version', 'edition', 'modele', 'model', 'couleur', 'color', 'colour', 'taille', 'size',
]);

const SIZE_WORDS = new Set(['xxs', 'xs', 'xl', 'xxl', 'xxxl', '2xl', '3xl', '4xl']);

/** Unit spellings (French and English) to a canonical unit and the factor to it. */
const UNITS: Record<string, [unit: string, factor: number]> = {
  tb: ['tb', 1], to: ['tb', 1], gb: ['gb', 1], go: ['gb', 1], mb: ['mb', 1], mo: ['mb', 1],
  ml: ['ml', 1], cl: ['ml', 10], l: ['ml', 1000], litre: ['ml', 1000], litres: ['ml', 1000], liter: ['ml', 1000],
  g: ['g', 1], gr: ['g', 1], kg: ['g', 1000], mg: ['mg', 1],
  mm: ['mm', 1], cm: ['mm', 10], m: ['mm', 1000],
  in: ['in', 1], inch: ['in', 1], inches: ['in', 1], pouce: ['in', 1], pouces: ['in', 1], '"': ['in', 1],
  w: ['w', 1], kw: ['w', 1000], mah: ['mah', 1], hz: ['hz', 1], v: ['v', 1], oz: ['oz', 1], lb: ['lb', 1],
};
const UNIT_PATTERN = new RegExp(
  String.raw`(\d+(?:\.\d+)?)\s*(${Object.keys(UNITS)
    .sort((a, b) => b.length - a.length)
    .join('|')})(?![\p{L}\p{N}])`,
  'gu',
);

function formatMeasure(value: number, unit: string): string {
  // Round away float noise from unit factors (1.5 l → 1500 ml) while keeping real decimals (6.1 in).
  return `${Number(value.toFixed(3))}${unit}`;
}

const unique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** Reads a product name into its signature. `brand`'s words are not counted as words of the name. */
export function nameSignature(name: string, brand?: string | null): NameSignature {
  let text = ` ${fold(name)} `
    .replace(/(\d),(\d)/g, '$1.$2') // French decimal comma: "1,5 l"
    .replace(/(\d)\s*(?:''|”|″)/g, '$1"'); // inch marks
  const measures: string[] = [];
  text = text.replace(UNIT_PATTERN, (_m, value: string, unit: string) => {
    // "5G" on a phone is the network generation, not five grams: keep it as a model token.
    if (unit === 'g' && /^[2-6]$/.test(value)) return ` ${value}g `;
    const [canonical, factor] = UNITS[unit]!;
    measures.push(formatMeasure(Number(value) * factor, canonical));
    return ' ';
  });
  const sizes: string[] = [];
  text = text.replace(/\b(?:lot de|pack de|pack of|set of|x)\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:x|pcs|pieces|unites)\b/g,
    (_m, a?: string, b?: string) => {
      sizes.push(`x${Number(a ?? b)}`);
      return ' ';
    });
  text = text.replace(/\b(?:taille|size)\s+(xxs|xs|s|m|l|xl|xxl|xxxl|\d{2})\b/g, (_m, size: string) => {
    sizes.push(size);
    return ' ';
  });
  // Two-word colours first, then glue model codes written with separators ("wh-1000xm5" → "wh1000xm5").
  const colours: string[] = [];
  text = text.replace(/lumiere stellaire/g, () => {
    colours.push('starlight');
    return ' ';
  });
  text = text.replace(/[\p{L}\p{N}]+(?:[-/.][\p{L}\p{N}]+)+/gu, (chunk) =>
    /\d/.test(chunk) ? chunk.replace(/[-/.]/g, '') : chunk.replace(/[-/.]/g, ' '),
  );

  const brandWords = new Set(brand ? fold(brand).split(/[^\p{L}\p{N}]+/u).filter(Boolean) : []);
  const brandGlued = normaliseBrand(brand);
  const models: string[] = [];
  const qualifiers: string[] = [];
  const years: string[] = [];
  const kinds: string[] = [];
  const words: string[] = [];
  for (const token of text.split(/[^\p{L}\p{N}]+/u)) {
    if (!token || brandWords.has(token) || token === brandGlued) continue;
    if (/^(19[89]\d|20[0-4]\d)$/.test(token)) years.push(token);
    else if (/\d/.test(token)) models.push(/^\d+$/.test(token) ? String(Number(token)) : token);
    else if (COLOURS[token]) colours.push(COLOURS[token]);
    else if (QUALIFIERS.has(token)) qualifiers.push(token);
    else if (SIZE_WORDS.has(token)) sizes.push(token);
    else if (ACCESSORY_WORDS[token]) kinds.push(ACCESSORY_WORDS[token]);
    else if (!STOP_WORDS.has(token) && token.length > 1) words.push(token);
  }
  return {
    models: unique(models),
    qualifiers: unique(qualifiers),
    measures: unique(measures),
    colours: unique(colours),
    years: unique(years),
    sizes: unique(sizes),
    kinds: unique(kinds),
    words: unique(words),
  };
}

function attributeKey(s: NameSignature): string {
  return [
    `m:${s.models.join(',')}`,
    `q:${s.qualifiers.join(',')}`,
    `u:${s.measures.join(',')}`,
    `c:${s.colours.join(',')}`,
    `y:${s.years.join(',')}`,
    `s:${s.sizes.join(',')}`,
    `k:${s.kinds.join(',')}`,
  ].join('|');
}

export function productIdentity(input: IdentityInput): ProductIdentity {
  const brandKey = normaliseBrand(input.brand);
  const signature = nameSignature(input.name, input.brand);
  const attrKey = attributeKey(signature);
  return {
    gtin: normaliseGtin(input.gtin),
    brandKey,
    mpnKey: normaliseMpn(input.mpn),
    attrKey,
    nameKey: `${brandKey ?? ''}|${attrKey}|w:${signature.words.join(',')}`,
    signature,
  };
}

/** A model token specific enough to name a product on its own: letters and digits, 3+ characters. */
function hasDistinctiveModel(s: NameSignature): boolean {
  return s.models.some((m) => m.length >= 3 && /\p{L}/u.test(m) && /\d/.test(m));
}

function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const setB = new Set(b);
  const shared = a.filter((x) => setB.has(x)).length;
  return shared / (a.length + b.length - shared);
}

/**
 * The conservative name match: same brand, every attribute equal, and something that identifies a model
 * (a distinctive model token, or a number with enough shared words). Never matches without a brand.
 */
export function namesMatch(a: ProductIdentity, b: ProductIdentity): boolean {
  if (!a.brandKey || a.brandKey !== b.brandKey) return false;
  if (a.attrKey !== b.attrKey) return false;
  const s = a.signature;
  if (hasDistinctiveModel(s)) return true;
  // Without a model code, a number or measure must still pin the product down, and the words must agree.
  if (s.models.length === 0 && s.measures.length === 0) return false;
  return s.words.length > 0 && jaccard(s.words, b.signature.words) >= 0.5;
}

export type MatchReason = 'gtin' | 'brand-mpn' | 'name';

/**
 * Whether two descriptions are one product, and on what evidence. Different GTINs, or the same brand with
 * different MPNs, are different products whatever the names say.
 */
export function matchProducts(a: ProductIdentity, b: ProductIdentity): MatchReason | null {
  if (a.gtin && b.gtin) return a.gtin === b.gtin ? 'gtin' : null;
  if (a.brandKey && a.mpnKey && a.brandKey === b.brandKey && b.mpnKey) {
    return a.mpnKey === b.mpnKey ? 'brand-mpn' : null;
  }
  return namesMatch(a, b) ? 'name' : null;
}
