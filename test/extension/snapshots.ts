import type { ProductSnapshot } from '../../core/snapshot.ts';

/** A valid snapshot, with `overrides`. */
export function snapshot(overrides: Partial<ProductSnapshot> = {}): ProductSnapshot {
  return {
    name: 'Cafetière à piston 1 L',
    price: '1299.99',
    currency: 'EUR',
    availability: 'InStock',
    brand: 'Bodum',
    gtin: '0699965160125',
    mpn: 'K1928-16',
    sku: 'BOD-1928',
    image: 'https://shop.example.fr/img/cafetiere.jpg',
    url: 'https://shop.example.fr/p/cafetiere',
    retailer: 'shop.example.fr',
    evidence: { name: ['json-ld'], price: ['json-ld', 'meta'] },
    ...overrides,
  };
}
