import { describe, expect, it } from 'vitest';
import {
  compareDecimal,
  demandCurve,
  normaliseDecimal,
  poolStatistics,
  priceQuartiles,
  unitsWantedAt,
  type PriceLevel,
} from '../../core/pricing.ts';

describe('decimal strings', () => {
  it('normalises without losing digits', () => {
    expect(normaliseDecimal('0120.500')).toBe('120.5');
    expect(normaliseDecimal('7.000')).toBe('7');
    expect(normaliseDecimal('0.010')).toBe('0.01');
    expect(normaliseDecimal('123456789012.123456')).toBe('123456789012.123456');
    expect(() => normaliseDecimal('-1')).toThrow(/not a decimal/);
    expect(() => normaliseDecimal('1e3')).toThrow(/not a decimal/);
  });

  it('compares exactly, beyond what a float can tell apart', () => {
    expect(compareDecimal('10', '9.99')).toBeGreaterThan(0);
    expect(compareDecimal('10.00', '10')).toBe(0);
    expect(compareDecimal('0.1', '0.09')).toBeGreaterThan(0);
    expect(compareDecimal('123456789012.000001', '123456789012.000002')).toBeLessThan(0);
    expect(['10', '9.5', '100', '9.45'].sort(compareDecimal)).toEqual(['9.45', '9.5', '10', '100']);
  });
});

// Four shoppers: two at most 100 (3 units), one at most 80 (1 unit), one at most 120 (2 units).
const LEVELS: PriceLevel[] = [
  { price: '100.00', members: 2, quantity: 3 },
  { price: '80', members: 1, quantity: 1 },
  { price: '120.5', members: 1, quantity: 2 },
];

describe('demandCurve', () => {
  it('counts the units wanted at or above each price, highest price first', () => {
    expect(demandCurve(LEVELS)).toEqual([
      { price: '120.5', members: 1, quantity: 2 },
      { price: '100', members: 3, quantity: 5 },
      { price: '80', members: 4, quantity: 6 },
    ]);
  });

  it('counts intents without a max price at every price', () => {
    const curve = demandCurve(LEVELS, { open: { members: 2, quantity: 10 } });
    expect(curve.map((p) => p.quantity)).toEqual([12, 15, 16]);
    expect(curve.map((p) => p.members)).toEqual([3, 5, 6]);
  });

  it('merges one price written two ways and drops empty levels', () => {
    const curve = demandCurve([
      { price: '10', members: 1, quantity: 1 },
      { price: '10.00', members: 1, quantity: 4 },
      { price: '5', members: 0, quantity: 0 },
    ]);
    expect(curve).toEqual([{ price: '10', members: 2, quantity: 5 }]);
  });

  it('keeps exact steps, including both ends, when asked for fewer points', () => {
    const many: PriceLevel[] = Array.from({ length: 1000 }, (_, i) => ({ price: String(i + 1), members: 1, quantity: 1 }));
    const full = demandCurve(many);
    const thin = demandCurve(many, { maxPoints: 11 });
    expect(thin).toHaveLength(11);
    expect(thin[0]).toEqual(full[0]);
    expect(thin[10]).toEqual(full[999]);
    for (const point of thin) expect(full).toContainEqual(point);
    expect(thin.map((p) => p.quantity)).toEqual([...thin.map((p) => p.quantity)].sort((a, b) => a - b));
  });

  it('sorts prices as amounts, not as text', () => {
    const curve = demandCurve([
      { price: '9.99', members: 1, quantity: 1 },
      { price: '10', members: 1, quantity: 1 },
      { price: '100.5', members: 1, quantity: 1 },
      { price: '0.5', members: 1, quantity: 1 },
      { price: '123456789012.000001', members: 1, quantity: 1 },
    ]);
    expect(curve.map((p) => p.price)).toEqual(['123456789012.000001', '100.5', '10', '9.99', '0.5']);
  });

  it('is empty for a pool with no max price at all', () => {
    expect(demandCurve([])).toEqual([]);
  });
});

describe('unitsWantedAt', () => {
  it('reads one price off the curve', () => {
    expect(unitsWantedAt(LEVELS, '100')).toEqual({ members: 3, quantity: 5 });
    expect(unitsWantedAt(LEVELS, '100.01')).toEqual({ members: 1, quantity: 2 });
    expect(unitsWantedAt(LEVELS, '1', { members: 1, quantity: 1 })).toEqual({ members: 5, quantity: 7 });
  });
});

describe('priceQuartiles', () => {
  it('gives nearest-rank quartiles of the max price by members', () => {
    // Members' max prices, sorted: 80, 100, 100, 120.5
    expect(priceQuartiles(LEVELS)).toEqual({ count: 4, min: '80', q1: '80', median: '100', q3: '100', max: '120.5' });
  });

  it('weights by units when asked', () => {
    // Units' max prices, sorted: 80, 100, 100, 100, 120.5, 120.5
    expect(priceQuartiles(LEVELS, 'quantity')).toEqual({
      count: 6,
      min: '80',
      q1: '100',
      median: '100',
      q3: '120.5',
      max: '120.5',
    });
  });

  it('matches a sort of every individual price', () => {
    const prices = Array.from({ length: 101 }, (_, i) => ((i * 37) % 101) + 1);
    const levels = prices.map((p) => ({ price: String(p), members: 1, quantity: 1 }));
    const sorted = [...prices].sort((a, b) => a - b);
    const q = priceQuartiles(levels)!;
    expect(q.median).toBe(String(sorted[50]));
    expect(q.q1).toBe(String(sorted[Math.ceil(0.25 * 101) - 1]));
    expect(q.q3).toBe(String(sorted[Math.ceil(0.75 * 101) - 1]));
  });

  it('is null without any max price', () => {
    expect(priceQuartiles([])).toBeNull();
  });
});

describe('poolStatistics', () => {
  it('equals the curve and quartiles computed one by one', () => {
    const open = { members: 3, quantity: 4 };
    expect(poolStatistics(LEVELS, { open, maxPoints: 2 })).toEqual({
      curve: demandCurve(LEVELS, { open, maxPoints: 2 }),
      quartiles: { members: priceQuartiles(LEVELS, 'members'), units: priceQuartiles(LEVELS, 'quantity') },
    });
  });
});
