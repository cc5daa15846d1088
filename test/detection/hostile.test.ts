import { describe, expect, it } from 'vitest';
import { detectProduct } from '../../core/detection/index.ts';
import { ProductSnapshot } from '../../core/snapshot.ts';
import { page } from './dom.ts';

const URL_ = 'https://shop.example/p/1';
const ld = (text: string) => `<script type="application/ld+json">${text}</script>`;
const product = JSON.stringify({ '@type': 'Product', name: 'Real Thing', sku: 'RT1', offers: { price: 5, priceCurrency: 'EUR' } });

/** Runs detection and returns how long it took, failing if it throws. */
function timed(doc: Document): { result: ReturnType<typeof detectProduct>; ms: number } {
  const t0 = performance.now();
  const result = detectProduct(doc, { url: URL_ });
  return { result, ms: performance.now() - t0 };
}

describe('hostile and malformed pages', () => {
  it('never throws on garbage JSON-LD, and still reads the good block', () => {
    const doc = page('<h1>Real Thing</h1>', ld('{') + ld('null') + ld('[1,2,') + ld('"str"') + ld('{"@type":') + ld(product));
    expect(detectProduct(doc, { url: URL_ })?.sku).toBe('RT1');
  });

  it('bounds deep JSON-LD nesting', () => {
    let deep = product;
    for (let i = 0; i < 5000; i++) deep = `{"@type":"WebPage","mainEntity":${deep}}`;
    const { result, ms } = timed(page('<h1>Deep</h1>', ld(deep)));
    expect(result).toBeNull(); // the product sits deeper than detection looks
    expect(ms).toBeLessThan(4000);
  });

  it('skips a JSON-LD block that is too large to parse on a live page', () => {
    const huge = JSON.stringify({ '@type': 'Product', name: 'Huge', sku: 'H1', description: 'x'.repeat(2_000_000), offers: { price: 1, priceCurrency: 'EUR' } });
    const { result, ms } = timed(page('<h1>Huge</h1>', ld(huge)));
    expect(result).toBeNull();
    expect(ms).toBeLessThan(4000);
  });

  it('bounds the number of JSON-LD blocks and products read', () => {
    const many = Array.from({ length: 500 }, (_, i) => ld(JSON.stringify({ '@type': 'Product', name: `P${i}`, sku: `S${i}`, offers: { price: i + 1, priceCurrency: 'EUR' } }))).join('');
    const { result, ms } = timed(page('<h1>P0</h1>', many));
    expect(result?.sku).toBe('S0');
    expect(ms).toBeLessThan(6000);
  });

  it('keeps HTML in names as text, and bounds string lengths', () => {
    const evil = JSON.stringify({
      '@type': 'Product',
      name: `<img src=x onerror=alert(1)>Kettle${'a'.repeat(5000)}`,
      brand: 'b'.repeat(5000),
      sku: 's'.repeat(5000),
      image: `javascript:alert(1)`,
      offers: { price: '1e400', priceCurrency: 'EURO!!' },
    });
    const result = detectProduct(page('<h1>Kettle</h1>', ld(evil)), { url: URL_ });
    expect(result).not.toBeNull();
    expect(result?.name).not.toContain('<');
    expect(result?.name.length).toBeLessThanOrEqual(500);
    expect(result?.image).toBeNull();
    expect(result?.price).toBeNull();
    expect(() => ProductSnapshot.parse(result)).not.toThrow();
  });

  it('bounds work on a page with a huge number of elements and prices', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `<div class="price">€${i},99</div><li>Item ${i}: x</li><button>b</button>`).join('');
    const { result, ms } = timed(page(`<h1>Many</h1>${rows}`));
    expect(ms).toBeLessThan(10000);
    expect(result === null || typeof result.name === 'string').toBe(true);
  });

  it('bounds work on a very deep element tree', () => {
    const deep = '<div class="price">'.repeat(3000) + '€5' + '</div>'.repeat(3000);
    const { ms } = timed(page(`<h1>Deep</h1>${deep}`));
    expect(ms).toBeLessThan(6000);
  });

  it('bounds microdata with a huge number of properties', () => {
    const props = Array.from({ length: 20_000 }, (_, i) => `<span itemprop="sku">S${i}</span>`).join('');
    const { result, ms } = timed(page(`<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Micro</h1>${props}</div>`));
    expect(result?.sku).toBe('S0');
    expect(ms).toBeLessThan(6000);
  });

  it('returns null rather than throwing on a document it cannot read', () => {
    const broken = { querySelectorAll: () => { throw new Error('boom'); }, querySelector: () => null } as unknown as Document;
    expect(detectProduct(broken, { url: URL_ })).toBeNull();
  });

  it('finds nothing on an empty page or without any address', () => {
    expect(detectProduct(page(''), { url: URL_ })).toBeNull();
    expect(detectProduct(page('<h1>Real Thing</h1>', ld(product)))).toBeNull();
  });
});
