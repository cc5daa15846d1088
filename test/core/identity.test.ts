import { describe, expect, it } from 'vitest';
import {
  matchProducts,
  nameSignature,
  normaliseBrand,
  normaliseGtin,
  normaliseMpn,
  productIdentity,
  type IdentityInput,
} from '../../core/identity.ts';

const id = (input: IdentityInput) => productIdentity(input);

describe('normaliseGtin', () => {
  it('brings GTIN-8, -12, -13 and -14 to one 14-digit form', () => {
    expect(normaliseGtin('4548736132610')).toBe('04548736132610');
    expect(normaliseGtin('04548736132610')).toBe('04548736132610');
    // A UPC-A and the EAN-13 that prints it with a leading zero are one code.
    expect(normaliseGtin('194253433866')).toBe('00194253433866');
    expect(normaliseGtin('0194253433866')).toBe('00194253433866');
    expect(normaliseGtin('96385074')).toBe('00000096385074');
    expect(normaliseGtin('4548-7361-3261-0')).toBe('04548736132610');
  });

  it('rejects wrong check digits, wrong lengths and all zeros', () => {
    expect(normaliseGtin('4548736132611')).toBeNull();
    expect(normaliseGtin('194253433867')).toBeNull();
    expect(normaliseGtin('12345')).toBeNull();
    expect(normaliseGtin('0000000000000')).toBeNull();
    expect(normaliseGtin('')).toBeNull();
    expect(normaliseGtin(null)).toBeNull();
  });
});

describe('normaliseBrand and normaliseMpn', () => {
  it('ignores case, accents, punctuation and corporate suffixes', () => {
    expect(normaliseBrand('Hewlett-Packard Inc.')).toBe(normaliseBrand('hewlett packard'));
    expect(normaliseBrand('Nestlé')).toBe('nestle');
    expect(normaliseBrand('SONY')).toBe('sony');
    expect(normaliseBrand('  ')).toBeNull();
  });

  it('keeps only letters and digits of an MPN, refuses codes that are GTINs or too short', () => {
    expect(normaliseMpn('WH-1000XM5/B')).toBe('WH1000XM5B');
    expect(normaliseMpn('wh1000xm5 b')).toBe('WH1000XM5B');
    expect(normaliseMpn('4548736132610')).toBeNull();
    expect(normaliseMpn('A1')).toBeNull();
  });
});

describe('nameSignature', () => {
  it('reads measures in French and English units alike', () => {
    expect(nameSignature('Clé USB 128 Go').measures).toEqual(['128gb']);
    expect(nameSignature('USB key 128GB').measures).toEqual(['128gb']);
    expect(nameSignature('Bouteille 1,5 L').measures).toEqual(['1500ml']);
    expect(nameSignature('Bottle 150cl').measures).toEqual(['1500ml']);
    expect(nameSignature('TV 55 pouces').measures).toEqual(['55in']);
    expect(nameSignature('TV 55"').measures).toEqual(['55in']);
    expect(nameSignature('Galaxy A55 5G').models).toEqual(['5g', 'a55']);
  });

  it('translates colours and glues model codes written with separators', () => {
    const s = nameSignature('Sony WH-1000XM5 Casque sans fil Noir', 'Sony');
    expect(s.models).toEqual(['wh1000xm5']);
    expect(s.colours).toEqual(['black']);
    expect(s.words).toEqual(['casque', 'fil']);
  });
});

/** The same product as two shops describe it (names and fields as published on their pages). */
const SAME: Array<[string, IdentityInput, IdentityInput]> = [
  [
    'GTIN-13 on one shop, UPC-A on the other',
    { name: 'Apple AirPods Pro (2e génération) avec boîtier MagSafe USB‑C', brand: 'Apple', gtin: '0194253939764' },
    { name: 'AirPods Pro 2 with MagSafe Case (USB-C)', brand: 'Apple', gtin: '194253939764' },
  ],
  [
    'brand + MPN written differently',
    { name: 'Sony WH-1000XM5 Casque Bluetooth à réduction de bruit - Noir', brand: 'Sony', mpn: 'WH1000XM5B.CE7' },
    { name: 'Sony WH1000XM5 Wireless Noise Cancelling Headphones, Black', brand: 'SONY', mpn: 'WH-1000XM5/B CE7' },
  ],
  [
    'names only, French and English, with the capacity and colour in other words',
    { name: 'Apple iPhone 15 (128 Go) - Noir', brand: 'Apple' },
    { name: 'Apple iPhone 15 128GB Black', brand: 'Apple Inc.' },
  ],
  [
    'names only, model code with a qualifier',
    { name: 'Samsung Galaxy S24 Ultra 256 Go Titane Noir', brand: 'Samsung' },
    { name: 'Galaxy S24 Ultra Smartphone, 256GB, Titanium Black', brand: 'SAMSUNG' },
  ],
  [
    'names only, distinctive model code and different words',
    { name: 'Casque sans fil Sony WH-1000XM5 noir', brand: 'Sony' },
    { name: 'Sony WH1000XM5 Wireless Headphones (Black)', brand: 'Sony' },
  ],
  [
    'names only, a liquid in litres and centilitres',
    { name: 'Evian Eau minérale naturelle 1,5 L', brand: 'Evian' },
    { name: 'EVIAN eau minerale naturelle 150cl', brand: 'evian' },
  ],
];

/** Near misses: close names that are other products and must never pool together. */
const DIFFERENT: Array<[string, IdentityInput, IdentityInput]> = [
  [
    'other capacity',
    { name: 'Apple iPhone 15 (128 Go) - Noir', brand: 'Apple' },
    { name: 'Apple iPhone 15 (256 Go) - Noir', brand: 'Apple' },
  ],
  [
    'other colour',
    { name: 'Apple iPhone 15 128GB Black', brand: 'Apple' },
    { name: 'Apple iPhone 15 128GB Blue', brand: 'Apple' },
  ],
  [
    'other model year',
    { name: 'Apple MacBook Air 13" M2 2022 256 Go', brand: 'Apple' },
    { name: 'Apple MacBook Air 13" M2 2024 256 Go', brand: 'Apple' },
  ],
  [
    'Pro against plain',
    { name: 'Apple iPhone 15 Pro 128GB Black', brand: 'Apple' },
    { name: 'Apple iPhone 15 128GB Black', brand: 'Apple' },
  ],
  [
    'other screen size',
    { name: 'Samsung TV QLED 55" QE55Q60C', brand: 'Samsung' },
    { name: 'Samsung TV QLED 65" QE65Q60C', brand: 'Samsung' },
  ],
  [
    'an accessory for the product',
    { name: 'Sony WH-1000XM5 noir', brand: 'Sony' },
    { name: 'Étui pour Sony WH-1000XM5 noir', brand: 'Sony' },
  ],
  [
    'other brand, same words',
    { name: 'Casque Bluetooth X200 noir', brand: 'Acme' },
    { name: 'Casque Bluetooth X200 noir', brand: 'Zenith' },
  ],
  [
    'different GTINs whatever the names say',
    { name: 'Apple iPhone 15 128GB Black', brand: 'Apple', gtin: '0194253408932' },
    { name: 'Apple iPhone 15 128GB Black', brand: 'Apple', gtin: '0194253409250' },
  ],
  [
    'same brand, different MPNs',
    { name: 'Sony headphones', brand: 'Sony', mpn: 'WH1000XM5B' },
    { name: 'Sony headphones', brand: 'Sony', mpn: 'WH1000XM4B' },
  ],
  [
    'no brand: names alone are not enough',
    { name: 'iPhone 15 128GB Black' },
    { name: 'iPhone 15 128GB Black' },
  ],
  [
    'a generic name with nothing that pins a model down',
    { name: 'Sony casque', brand: 'Sony' },
    { name: 'Sony casque', brand: 'Sony' },
  ],
  [
    'other pack size',
    { name: 'Evian eau minérale 1,5 L lot de 6', brand: 'Evian' },
    { name: 'Evian eau minérale 1,5 L', brand: 'Evian' },
  ],
];

describe('matchProducts', () => {
  it.each(SAME)('matches %s', (_label, a, b) => {
    expect(matchProducts(id(a), id(b))).not.toBeNull();
    expect(matchProducts(id(b), id(a))).not.toBeNull();
  });

  it.each(DIFFERENT)('does not match %s', (_label, a, b) => {
    expect(matchProducts(id(a), id(b))).toBeNull();
    expect(matchProducts(id(b), id(a))).toBeNull();
  });

  it('says which evidence matched', () => {
    expect(matchProducts(id(SAME[0]![1]), id(SAME[0]![2]))).toBe('gtin');
    expect(matchProducts(id(SAME[1]![1]), id(SAME[1]![2]))).toBe('brand-mpn');
    expect(matchProducts(id(SAME[2]![1]), id(SAME[2]![2]))).toBe('name');
  });
});
