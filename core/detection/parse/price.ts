/**
 * Prices as written by people and by markup, to a decimal string ("1299.99"). Money never goes through
 * floating point: the digits are rewritten, not computed.
 */

/** At most this many characters of a text are read for a price: a price is short, a page is not. */
const MAX_PRICE_TEXT = 200;

/** A run of digits with the grouping and decimal marks people use: `1 299,99`, `1.299,99`, `1'299.–`. */
const NUMBER = /\d[\d\s\u00a0\u202f.,'’`´]*(?:[.,](?:-|–|—))?/g;

/** Digits and one decimal point, as schema.org asks for in `price` (`1299.99`). */
const MACHINE_DECIMAL = /^\s*(\d{1,12})(?:\.(\d{1,6}))?\s*$/;

/** A canonical decimal: no leading zeros in the whole part, none trailing in the fraction ("12.50" → "12.5"). */
export function formatDecimal(whole: string, fraction = ''): string | null {
  const w = whole.replace(/^0+(?=\d)/, '');
  if (w.length > 12 || !/^\d+$/.test(w)) return null;
  const f = fraction.slice(0, 6).replace(/0+$/, '');
  return f ? `${w}.${f}` : w;
}

/**
 * Reads one amount from a run of digits and separators. A single separator followed by exactly three
 * digits groups thousands (`1.299`, `5.000` CLP, `1,299`), as it does on nearly every shop; with one or
 * two digits after it, it is the decimal mark. With both marks, the last one is the decimal mark.
 */
export function parseAmount(raw: string): string | null {
  const s = raw
    .replace(/[\s\u00a0\u202f'’`´]/g, (c) => (c === ' ' || c === '\u00a0' || c === '\u202f' ? ' ' : "'"))
    .replace(/[.,](?:-|–|—)$/, '') // "1'299.–": no cents
    .replace(/[.,\s']+$/, '');
  if (!/^\d/.test(s)) return null;
  const marks = s.match(/[.,]/g) ?? [];
  const groups = s.replace(/[' ]/g, '');
  if (marks.length === 0) return formatDecimal(groups);
  const lastMark = Math.max(groups.lastIndexOf('.'), groups.lastIndexOf(','));
  const markChar = groups[lastMark];
  const after = groups.slice(lastMark + 1);
  const before = groups.slice(0, lastMark);
  const sameMarks = marks.every((m) => m === markChar);
  if (sameMarks && marks.length > 1) {
    // "1.299.999" or "1,299,999": grouping only, when every group has three digits.
    return /^\d{1,3}([.,]\d{3})+$/.test(groups) ? formatDecimal(groups.replace(/[.,]/g, '')) : null;
  }
  if (sameMarks) {
    // One mark: three digits after it mean thousands, unless the whole part is 0 ("0.125").
    if (after.length === 3 && !/^0+$/.test(before)) return formatDecimal(before + after);
    if (after.length === 0) return formatDecimal(before);
    return /^\d+$/.test(before) ? formatDecimal(before, after) : null;
  }
  // Both marks: the last one is decimal, the others group.
  const whole = before.replace(/[.,]/g, '');
  if (!/^\d+$/.test(whole) || !/^\d*$/.test(after)) return null;
  return formatDecimal(whole, after);
}

export interface ParsedPrice {
  amount: string;
  /** The text around the amount, where a currency symbol or code may be. */
  rest: string;
}

/**
 * The first amount shown in a text ("from £1,299.99", "1 299,99 €", "$10 - $20" → its lowest end, the
 * first). Returns null when the text holds no amount. Amounts of zero count as no price.
 */
export function parsePriceText(text: string): ParsedPrice | null {
  const t = text.slice(0, MAX_PRICE_TEXT);
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(t); m; m = NUMBER.exec(t)) {
    const token = m[0].replace(/\s+$/, '');
    // "1.Item", "2. Step": a numbered list, not an amount.
    if (/^\d{1,2}[.)]$/.test(token.replace(/\s/g, '')) && /^\s*\p{L}/u.test(t.slice(m.index + m[0].length))) continue;
    // "1 299,99" is one amount; "12.99 15.99" (a price then another) is read up to the first space.
    const amount = parseAmount(token) ?? parseAmount(token.split(/\s/)[0] ?? '');
    if (amount !== null && amount !== '0') {
      return { amount, rest: t.slice(0, m.index) + ' ' + t.slice(m.index + m[0].length) };
    }
  }
  return null;
}

/**
 * A price from markup (`price` in JSON-LD, microdata `content`, `product:price:amount`). Machine values use
 * a decimal point ("1299.99", 1299.99); anything else (some shops write "1.299,99" there) is read as text.
 */
export function parseMarkupPrice(value: unknown): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0 || value >= 1e12) return null;
    const [whole = '', fraction = ''] = String(value).split('.');
    return /e/i.test(whole) ? null : formatDecimal(whole, fraction);
  }
  if (typeof value !== 'string' || /^\s*[\d.]+e[+-]?\d+\s*$/i.test(value)) return null; // no exponents in prices
  const m = MACHINE_DECIMAL.exec(value);
  if (m) {
    const amount = formatDecimal(m[1] ?? '', m[2] ?? '');
    return amount === '0' ? null : amount;
  }
  return parsePriceText(value)?.amount ?? null;
}
