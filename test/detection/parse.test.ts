import { describe, expect, it } from 'vitest';
import { isOutOfStockText, parseAvailability } from '../../core/detection/parse/availability.ts';
import { countryOfHost, currencyOfContext, currencyOfText, parseCurrencyCode } from '../../core/detection/parse/currency.ts';
import { isValidGtin, parseGtin } from '../../core/detection/parse/gtin.ts';
import { parseAmount, parseMarkupPrice, parsePriceText } from '../../core/detection/parse/price.ts';
import { cleanBrand, cleanText, stripShopName } from '../../core/detection/parse/text.ts';
import { absoluteUrl, retailerOf } from '../../core/detection/parse/url.ts';

describe('parsePriceText', () => {
  it.each([
    ['1 299,99 €', '1299.99'],
    ['1\u00a0299,99\u00a0€', '1299.99'],
    ['1\u202f299,99 €', '1299.99'],
    ['1.299,99', '1299.99'],
    ['1.299,99 €', '1299.99'],
    ['$1,299.99', '1299.99'],
    ["CHF 1'299.–", '1299'],
    ['CHF 1’299.50', '1299.5'],
    ['Fr. 19.50', '19.5'],
    ['¥1,299', '1299'],
    ['$5.000', '5000'], // Chilean pesos: the dot groups thousands
    ['5.000 CLP', '5000'],
    ['$ 229.990', '229990'],
    ['12,5 zł', '12.5'],
    ['€ 0,99', '0.99'],
    ['0.125 KWD', '0.125'],
    ['1.234.567', '1234567'],
    ['1,234,567.89', '1234567.89'],
    ['20,-', '20'],
    ['44 890 ₸', '44890'],
    ['30,000원', '30000'],
    ['Rs. 2,433', '2433'],
    ['From £1,299.99', '1299.99'],
    ['ab 49,95 €', '49.95'],
    ['à partir de 12,90 €', '12.9'],
    ['$10 - $20', '10'],
    ['10–20 €', '10'],
    ['€12.99 €15.99', '12.99'],
    ['最低價$99元起/包', '99'],
    ['100 Kč', '100'],
  ])('%s → %s', (text, amount) => {
    expect(parsePriceText(text)?.amount).toBe(amount);
  });

  it('finds no price where there is none', () => {
    expect(parsePriceText('Add to cart')).toBeNull();
    expect(parsePriceText('€0,00')).toBeNull();
    expect(parsePriceText('')).toBeNull();
  });

  it('keeps the text around the amount for the currency', () => {
    expect(parsePriceText('1 299,99 €')?.rest).toContain('€');
  });
});

describe('parseAmount', () => {
  it('reads one mark followed by three digits as grouping, by one or two as decimals', () => {
    expect(parseAmount('1.299')).toBe('1299');
    expect(parseAmount('1,299')).toBe('1299');
    expect(parseAmount('12,99')).toBe('12.99');
    expect(parseAmount('12.9')).toBe('12.9');
  });
  it('refuses malformed grouping and huge numbers', () => {
    expect(parseAmount('1.2.3')).toBeNull();
    expect(parseAmount('1234567890123456')).toBeNull();
  });
});

describe('parseMarkupPrice', () => {
  it('reads machine decimals as schema.org writes them', () => {
    expect(parseMarkupPrice('1299.99')).toBe('1299.99');
    expect(parseMarkupPrice('19.500')).toBe('19.5');
    expect(parseMarkupPrice(' 12.00 ')).toBe('12');
    expect(parseMarkupPrice(1299.99)).toBe('1299.99');
    expect(parseMarkupPrice(45)).toBe('45');
  });
  it('reads shop-formatted text in markup', () => {
    expect(parseMarkupPrice('1.299,99 €')).toBe('1299.99');
    expect(parseMarkupPrice('£1,299')).toBe('1299');
  });
  it('refuses zero, negatives, non-numbers', () => {
    expect(parseMarkupPrice('0')).toBeNull();
    expect(parseMarkupPrice(0)).toBeNull();
    expect(parseMarkupPrice(-5)).toBeNull();
    expect(parseMarkupPrice(Number.NaN)).toBeNull();
    expect(parseMarkupPrice(1e300)).toBeNull();
    expect(parseMarkupPrice({ price: 1 })).toBeNull();
    expect(parseMarkupPrice('free')).toBeNull();
  });
});

describe('currency', () => {
  it.each([
    ['1 299,99 €', 'EUR'],
    ['£12', 'GBP'],
    ["CHF 1'299.–", 'CHF'],
    ['Fr. 19.50', 'CHF'],
    ['12,5 zł', 'PLN'],
    ['100 Kč', 'CZK'],
    ['173,34 Lei', 'RON'],
    ['5 990 тг', 'KZT'],
    ['44 890 ₸', 'KZT'],
    ['30,000원', 'KRW'],
    ['₩30,000', 'KRW'],
    ['249 ₽', 'RUB'],
    ['R$ 1.759,99', 'BRL'],
    ['270,00 Kn', 'HRK'],
    ['99 SAR', 'SAR'],
    ['US$ 12', 'USD'],
    ['NZ$ 99', 'NZD'],
    ['C$ 60', 'CAD'],
    ['₹ 949', 'INR'],
    ['12 EUR', 'EUR'],
  ])('%s → %s', (text, code) => {
    expect(currencyOfText(text)).toBe(code);
  });

  it('names the dollar by the country of the domain or the language', () => {
    expect(currencyOfText('$5.000', { country: 'CL' })).toBe('CLP');
    expect(currencyOfText('$60', { country: 'CA' })).toBe('CAD');
    expect(currencyOfText('$99', { country: 'TW' })).toBe('TWD');
    expect(currencyOfText('$60', { lang: 'en-AU' })).toBe('AUD');
    expect(currencyOfText('$60', {})).toBe('USD');
    expect(currencyOfText('$60', { country: 'DE' })).toBe('USD');
  });

  it('names yen and crowns by context', () => {
    expect(currencyOfText('¥1,299')).toBe('JPY');
    expect(currencyOfText('¥1,299', { lang: 'zh-CN' })).toBe('CNY');
    expect(currencyOfText('199 kr', { country: 'NO' })).toBe('NOK');
    expect(currencyOfText('199 kr', { country: 'DK' })).toBe('DKK');
  });

  it('does not read currency letters inside words', () => {
    expect(currencyOfText('Brand new')).toBeNull();
    expect(currencyOfText('Fresh knit')).toBeNull();
    expect(currencyOfText('12')).toBeNull();
  });

  it('reads codes from markup, and symbols put where codes belong', () => {
    expect(parseCurrencyCode('eur')).toBe('EUR');
    expect(parseCurrencyCode(' GBP ')).toBe('GBP');
    expect(parseCurrencyCode('€')).toBe('EUR');
    expect(parseCurrencyCode('Lei')).toBe('RON');
    expect(parseCurrencyCode('XYZ')).toBeNull();
    expect(parseCurrencyCode(12)).toBeNull();
  });

  it('infers the currency of a page from its domain and language', () => {
    expect(countryOfHost('www.shop.co.uk')).toBe('GB');
    expect(countryOfHost('shop.example.com')).toBeNull();
    expect(currencyOfContext({ country: 'CH' })).toBe('CHF');
    expect(currencyOfContext({ country: countryOfHost('tienda.cl') })).toBe('CLP');
    expect(currencyOfContext({ lang: 'de-AT' })).toBe('EUR');
    expect(currencyOfContext({ lang: 'pl' })).toBe('PLN');
    expect(currencyOfContext({ lang: 'en' })).toBeNull();
    // A currency code's first letters name its country; not in the euro area.
    expect(currencyOfContext({ country: countryOfHost('tienda.do') })).toBe('DOP');
    expect(currencyOfContext({ country: countryOfHost('shop.hr') })).toBe('EUR');
    expect(currencyOfContext({ country: countryOfHost('shop.li') })).toBe('CHF');
    expect(countryOfHost('shop.xo')).toBeNull();
  });
});

describe('GTIN', () => {
  it('verifies check digits', () => {
    expect(isValidGtin('4006381333931')).toBe(true); // EAN-13
    expect(isValidGtin('4006381333932')).toBe(false);
    expect(isValidGtin('96385074')).toBe(true); // EAN-8
    expect(isValidGtin('036000291452')).toBe(true); // UPC-A
    expect(isValidGtin('10614141000415')).toBe(true); // GTIN-14
  });

  it('normalises: UPC-A and zero-padded GTIN-14 become EAN-13, spaces and dashes go', () => {
    expect(parseGtin('036000291452')).toBe('0036000291452');
    expect(parseGtin('00036000291452')).toBe('0036000291452');
    expect(parseGtin('400-6381 333931')).toBe('4006381333931');
    expect(parseGtin(4006381333931)).toBe('4006381333931');
    expect(parseGtin('0000096385074')).toBe('96385074');
    expect(parseGtin('10614141000415')).toBe('10614141000415');
    expect(parseGtin('9780552173742')).toBe('9780552173742'); // ISBN-13
  });

  it('refuses wrong check digits, wrong lengths and non-digits', () => {
    expect(parseGtin('4006381333932')).toBeNull();
    expect(parseGtin('12345')).toBeNull();
    expect(parseGtin('ABC4006381333931')).toBeNull();
    expect(parseGtin('')).toBeNull();
    expect(parseGtin(null)).toBeNull();
  });
});

describe('availability', () => {
  it.each([
    ['https://schema.org/InStock', 'InStock'],
    ['http://schema.org/OutOfStock', 'OutOfStock'],
    ['schema:PreOrder', 'PreOrder'],
    ['InStock', 'InStock'],
    ['instock', 'InStock'],
    ['in stock', 'InStock'],
    ['oos', 'OutOfStock'],
    ['out of stock', 'OutOfStock'],
    ['http://schema.org/SoldOut', 'OutOfStock'],
    ['preorder', 'PreOrder'],
    ['https://schema.org/Discontinued', 'Discontinued'],
    ['http://data-vocabulary.org/in_stock', 'InStock'],
    ['In-Stock', 'InStock'],
    ['limited_availability', 'LimitedAvailability'],
    ['Pre-Order', 'PreOrder'],
    ['Not Available', 'OutOfStock'],
  ])('%s → %s', (value, name) => {
    expect(parseAvailability(value)).toBe(name);
  });

  it('refuses what it does not know', () => {
    expect(parseAvailability('maybe')).toBeNull();
    expect(parseAvailability(undefined)).toBeNull();
  });

  it('reads out-of-stock messages in several languages', () => {
    for (const t of ['Out of stock', 'Currently unavailable.', 'Nicht verfügbar', 'Épuisé', 'Agotado', 'Нет в наличии', '품절']) {
      expect(isOutOfStockText(t)).toBe(true);
    }
    expect(isOutOfStockText('In stock, ships tomorrow')).toBe(false);
  });
});

describe('URLs and retailer', () => {
  it('makes URLs absolute against the page', () => {
    expect(absoluteUrl('/img/a.jpg', 'https://shop.example/p/1')).toBe('https://shop.example/img/a.jpg');
    expect(absoluteUrl('//cdn.example/a.jpg', 'https://shop.example/')).toBe('https://cdn.example/a.jpg');
    expect(absoluteUrl('https://x.example/a', null)).toBe('https://x.example/a');
  });
  it('refuses other schemes and garbage', () => {
    expect(absoluteUrl('javascript:alert(1)', 'https://shop.example/')).toBeNull();
    expect(absoluteUrl('data:image/png;base64,AAAA', 'https://shop.example/')).toBeNull();
    expect(absoluteUrl('/relative', null)).toBeNull();
    expect(absoluteUrl(`https://x.example/${'a'.repeat(3000)}`, null)).toBeNull();
  });
  it('names the retailer by host without www', () => {
    expect(retailerOf('https://www.shop.example.fr/p/1')).toBe('shop.example.fr');
    expect(retailerOf('https://shop.example.fr/')).toBe('shop.example.fr');
    expect(retailerOf('not a url')).toBeNull();
  });
});

describe('text', () => {
  it('collapses whitespace, decodes entities, drops tags', () => {
    expect(cleanText('  Caf&eacute;&nbsp;&amp; <b>bar</b>\n')).toBe('Caf&eacute; & bar');
    expect(cleanText('Cama Elo&#237;sa')).toBe('Cama Eloísa');
    expect(cleanText('x'.repeat(600), 500)).toHaveLength(500);
    expect(cleanText('   ')).toBeNull();
  });
  it("strips the shop's name from titles", () => {
    expect(stripShopName('Garni 570 Easy II | Nay.sk', ['nay.sk'])).toBe('Garni 570 Easy II');
    expect(stripShopName('Shop Example - Red Kettle 1.7 l', ['shop-example.com', 'Shop Example'])).toBe('Red Kettle 1.7 l');
    expect(stripShopName('Red Kettle - 1.7 l', ['shop.example'])).toBe('Red Kettle - 1.7 l');
  });
  it('unwraps brands and drops placeholders', () => {
    expect(cleanBrand('Ver mais artigos da marca: Panasonic')).toBe('Panasonic');
    expect(cleanBrand('$metabrand')).toBeNull();
    expect(cleanBrand('{{ brand }}')).toBeNull();
    expect(cleanBrand('Bosch')).toBe('Bosch');
  });
});

describe('absoluteUrl and HTML escaping', () => {
  it('undoes &amp; left in URLs by shops', () => {
    expect(absoluteUrl('/img/a.jpg?w=80&amp;h=80', 'https://shop.example/')).toBe('https://shop.example/img/a.jpg?w=80&h=80');
  });
});

describe('parsePriceText and numbered lists', () => {
  it('does not read "1. Item" as an amount', () => {
    expect(parsePriceText('1.非北北基地區 晚上 元')).toBeNull();
    expect(parsePriceText('2. Step then €5')?.amount).toBe('5');
    expect(parsePriceText('12.99 €')?.amount).toBe('12.99');
  });
});

describe('yuan and Taiwan dollars', () => {
  it('reads 元 as TWD on Taiwanese pages', () => {
    expect(currencyOfText('294 元', { country: 'TW' })).toBe('TWD');
    expect(currencyOfText('294 元', { lang: 'zh-TW' })).toBe('TWD');
    expect(currencyOfText('294 元', { lang: 'zh-CN' })).toBe('CNY');
  });
});
