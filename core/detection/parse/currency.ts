/**
 * Currencies as ISO 4217 codes, from what a page shows (symbols, codes, local words) and, when a symbol is
 * shared (`$`, `kr`, `¥`), from the page's language and domain.
 */

/** Codes we accept from markup and text. Not the whole of ISO 4217: the currencies shops price in. */
const CODES = new Set(
  (
    'AED ARS AUD AZN BAM BDT BGN BHD BRL BYN CAD CHF CLP CNY COP CRC CZK DKK DOP DZD EGP EUR GBP GEL GHS GTQ HKD ' +
    'HRK HUF IDR ILS INR IQD ISK JOD JPY KES KRW KWD KZT LBP LKR MAD MDL MKD MXN MYR NGN NOK NZD OMR PEN PHP PKR ' +
    'PLN PYG QAR RON RSD RUB SAR SEK SGD THB TND TRY TWD UAH UGX USD UYU UZS VND XAF XOF ZAR'
  ).split(' '),
);

/** Symbols and words that name one currency wherever they are shown. Longest first when matching. */
const SYMBOLS: Record<string, string> = {
  '€': 'EUR', '£': 'GBP', '₩': 'KRW', '원': 'KRW', '₹': 'INR', '₽': 'RUB', 'руб': 'RUB', 'р.': 'RUB',
  'zł': 'PLN', 'Kč': 'CZK', 'Ft': 'HUF', 'lei': 'RON', 'Lei': 'RON', 'LEI': 'RON', 'R$': 'BRL', '₴': 'UAH',
  'грн': 'UAH', '₺': 'TRY', 'TL': 'TRY', '₪': 'ILS', '₸': 'KZT', 'тг': 'KZT', 'тенге': 'KZT', '฿': 'THB',
  '₫': 'VND', '₱': 'PHP', '₦': 'NGN', 'лв': 'BGN', 'kn': 'HRK', 'Kn': 'HRK', 'RM': 'MYR', 'Rp': 'IDR', 'Fr.': 'CHF',
  'US$': 'USD', 'C$': 'CAD', 'CA$': 'CAD', 'A$': 'AUD', 'AU$': 'AUD', 'NZ$': 'NZD', 'HK$': 'HKD', 'S$': 'SGD',
  'NT$': 'TWD', '元': 'CNY', '円': 'JPY', 'ر.س': 'SAR', 'ريال': 'SAR', 'د.إ': 'AED', 'درهم': 'AED',
  'ج.م': 'EGP', 'Br': 'BYN', '₼': 'AZN', '₾': 'GEL', 'Rs': 'INR', '₨': 'PKR', 'din': 'RSD',
  'ден': 'MKD', 'euro': 'EUR', 'Euro': 'EUR',
};
// No "EUR" nor "€.": the code is read before the symbols, and "€" gives the same answer as "€.".
// "р." is rouble in Russia and Belarusian rouble in Belarus: the domain decides below.
const SYMBOL_KEYS = Object.keys(SYMBOLS).sort((a, b) => b.length - a.length);
/** All symbols in one pattern (longest first at each position): one scan of the text, not one per symbol. */
const SYMBOL_PATTERN = new RegExp(SYMBOL_KEYS.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');

/**
 * The currency of a country, by ISO 3166 code (used for domains and `lang="xx-YY"`): a currency code's
 * first two letters name its country, but in the euro area (X-codes are shared by several countries).
 */
const BY_COUNTRY: Record<string, string> = { UK: 'GBP', LI: 'CHF' };
for (const code of CODES) if (code[0] !== 'X') BY_COUNTRY[code.slice(0, 2)] = code;
for (const country of 'AT BE CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK'.split(' ')) BY_COUNTRY[country] = 'EUR';

/** Where `$`, `kr` or `¥` is shown, the country says which one. */
const DOLLAR_COUNTRIES = new Set(['US', 'CA', 'AU', 'NZ', 'MX', 'AR', 'CL', 'CO', 'UY', 'HK', 'SG', 'TW']);
const CROWN_COUNTRIES: Record<string, string> = { SE: 'SEK', NO: 'NOK', DK: 'DKK', IS: 'ISK', CZ: 'CZK' };

/** What the page says about where it sells: its domain's country and its language's region. */
export interface CurrencyContext {
  /** ISO 3166 country from the domain (`shop.example.co.uk` → GB), if it has one. */
  country?: string | null;
  /** The page's language tag (`de-CH`, `fr`), from `<html lang>`. */
  lang?: string | null;
}

/** The country a host name sells in, from its top-level domain (`.com` and the like say nothing). */
export function countryOfHost(host: string): string | null {
  const tld = /\.([a-z]{2})$/i.exec(host)?.[1]?.toUpperCase();
  if (!tld) return null;
  return tld === 'UK' ? 'GB' : tld in BY_COUNTRY ? tld : null;
}

function countryOf(ctx: CurrencyContext): string | null {
  if (ctx.country) return ctx.country;
  const region = /^[a-z]{2,3}[-_]([a-z]{2})\b/i.exec(ctx.lang ?? '')?.[1]?.toUpperCase();
  return region ?? null;
}

/** The currency a page most likely prices in when it shows no symbol: its country's. */
export function currencyOfContext(ctx: CurrencyContext): string | null {
  const country = countryOf(ctx);
  if (country && BY_COUNTRY[country]) return BY_COUNTRY[country];
  // A language alone names a currency only where it is spoken in one country.
  const lang = (ctx.lang ?? '').slice(0, 2).toLowerCase();
  const byLang: Record<string, string> = {
    ja: 'JPY', ko: 'KRW', pl: 'PLN', cs: 'CZK', hu: 'HUF', ro: 'RON', bg: 'BGN', uk: 'UAH', kk: 'KZT', he: 'ILS',
    th: 'THB', vi: 'VND', tr: 'TRY', da: 'DKK', sv: 'SEK', nb: 'NOK', no: 'NOK', hr: 'EUR', sk: 'EUR', sl: 'EUR',
    et: 'EUR', lv: 'EUR', lt: 'EUR', fi: 'EUR', el: 'EUR',
  };
  return byLang[lang] ?? null;
}

/** A currency code from markup (`priceCurrency`, `product:price:currency`), or null if it is not one. */
export function parseCurrencyCode(value: unknown, ctx: CurrencyContext = {}): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  const upper = v.toUpperCase();
  if (CODES.has(upper)) return upper;
  // Some shops put the symbol where the code belongs ("€", "Lei").
  return v.length <= 8 ? currencyOfText(v, ctx) : null;
}

/** The currency a price text shows ("1 299,99 €", "CHF 1'299.–", "$5", "5 990 тг"), or null. */
export function currencyOfText(text: string, ctx: CurrencyContext = {}): string | null {
  const t = text.slice(0, 200);
  for (const m of t.matchAll(/(?:^|[^A-Za-z])([A-Z]{3})(?![A-Za-z])/g)) {
    const code = m[1] ?? '';
    if (CODES.has(code)) return code;
  }
  const country = countryOf(ctx);
  SYMBOL_PATTERN.lastIndex = 0;
  for (let m = SYMBOL_PATTERN.exec(t); m; m = SYMBOL_PATTERN.exec(t)) {
    const key = m[0];
    const at = m.index;
    // Letters as symbols ("kn", "Ft", "lei") must stand alone, not inside a word.
    if (/^[\p{L}]/u.test(key) && /[\p{L}]/u.test(t[at - 1] ?? '')) continue;
    if (/[\p{L}]$/u.test(key) && /[\p{L}]/u.test(t[at + key.length] ?? '')) continue;
    if (key === 'р.' && country === 'BY') return 'BYN';
    if (key === 'Rs' && country === 'PK') return 'PKR';
    if (key === '元' && (country === 'TW' || /^zh-(?:TW|Hant)/i.test(ctx.lang ?? ''))) return 'TWD';
    return SYMBOLS[key] ?? null;
  }
  if (/\$/.test(t)) return country && DOLLAR_COUNTRIES.has(country) ? (BY_COUNTRY[country] ?? 'USD') : 'USD';
  if (/[¥￥]/.test(t)) return country === 'CN' || /^zh/i.test(ctx.lang ?? '') ? 'CNY' : 'JPY';
  if (/(?:^|[^\p{L}])(?:kr|Kr|kr\.|,-)(?:$|[^\p{L}])/u.test(t)) return (country && CROWN_COUNTRIES[country]) ?? 'SEK';
  if (/(?:^|[^A-Za-z])(?:CHF|SFr)/.test(t)) return 'CHF';
  return null;
}
