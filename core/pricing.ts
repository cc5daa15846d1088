/**
 * Pool pricing maths, pure. Prices are decimal strings ("1299.99") end to end: they are compared and
 * picked, never computed with floating point, so what a shopper typed is what an organiser reads.
 */

/** Live intents of a pool that share one max price. */
export interface PriceLevel {
  price: string;
  members: number;
  quantity: number;
}

/** Units (and members) wanted at `price`: everyone whose max price is at or above it, plus the open-ended. */
export interface DemandPoint {
  price: string;
  members: number;
  quantity: number;
}

export interface PriceQuartiles {
  /** How many weights were counted (members or units with a max price). */
  count: number;
  min: string;
  q1: string;
  median: string;
  q3: string;
  max: string;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** "0120.500" → "120.5", "7.000" → "7". Throws on anything that is not a plain non-negative decimal. */
export function normaliseDecimal(value: string): string {
  const match = DECIMAL.exec(value);
  if (!match) throw new Error(`not a decimal amount: ${JSON.stringify(value)}`);
  const int = match[1]!.replace(/^0+(?=\d)/, '');
  const frac = (match[2] ?? '').replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

/** Compares two decimal strings exactly (negative, zero or positive like a sort comparator). */
export function compareDecimal(a: string, b: string): number {
  const [ai, af = ''] = normaliseDecimal(a).split('.') as [string, string?];
  const [bi, bf = ''] = normaliseDecimal(b).split('.') as [string, string?];
  if (ai.length !== bi.length) return ai.length - bi.length;
  if (ai !== bi) return ai < bi ? -1 : 1;
  const width = Math.max(af.length, bf.length);
  const pa = af.padEnd(width, '0');
  const pb = bf.padEnd(width, '0');
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}

/**
 * A string that sorts like the amount: integer part left-padded, fraction right-padded. Amounts here have
 * at most 12 integer and 6 fraction digits (the snapshot's DecimalString); longer ones still sort right
 * as long as both sides fit the same width, which the padding below guarantees up to 30 digits.
 */
function sortKey(normalised: string): string {
  const [int, frac = ''] = normalised.split('.') as [string, string?];
  return `${int.padStart(30, '0')}.${frac.padEnd(12, '0')}`;
}

/** Merges levels of equal price (written differently, e.g. "10" and "10.00") and sorts them by price, highest first. */
function sortedLevels(levels: readonly PriceLevel[]): PriceLevel[] {
  // Normalised once per level, compared as plain strings: a pool has up to tens of thousands of prices.
  const byPrice = new Map<string, PriceLevel & { key: string }>();
  for (const level of levels) {
    if (level.members <= 0 && level.quantity <= 0) continue;
    const price = normaliseDecimal(level.price);
    const seen = byPrice.get(price);
    if (seen) {
      seen.members += level.members;
      seen.quantity += level.quantity;
    } else {
      byPrice.set(price, { price, members: level.members, quantity: level.quantity, key: sortKey(price) });
    }
  }
  return [...byPrice.values()]
    .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0))
    .map(({ price, members, quantity }) => ({ price, members, quantity }));
}

export interface DemandCurveOptions {
  /** Members and units with no max price: they are counted at every price. */
  open?: { members: number; quantity: number };
  /**
   * At most this many points (the curve is a step function; the kept points are exact steps, evenly
   * spread by rank, and always include the highest and the lowest price).
   */
  maxPoints?: number;
}

/**
 * The demand curve: for each distinct max price, how many units (and members) are wanted at that price,
 * highest price first, so quantities only grow along the array.
 */
export function demandCurve(levels: readonly PriceLevel[], options: DemandCurveOptions = {}): DemandPoint[] {
  return curveOfSorted(sortedLevels(levels), options);
}

function curveOfSorted(sorted: readonly PriceLevel[], options: DemandCurveOptions): DemandPoint[] {
  let members = options.open?.members ?? 0;
  let quantity = options.open?.quantity ?? 0;
  const points: DemandPoint[] = [];
  for (const level of sorted) {
    members += level.members;
    quantity += level.quantity;
    points.push({ price: level.price, members, quantity });
  }
  const max = options.maxPoints;
  if (max === undefined || points.length <= max) return points;
  if (max < 2) return points.slice(-Math.max(0, max));
  const kept: DemandPoint[] = [];
  for (let i = 0; i < max; i++) kept.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return kept;
}

/** Units wanted at a given price, read off the curve (open-ended intents included). */
export function unitsWantedAt(
  levels: readonly PriceLevel[],
  price: string,
  open: { members: number; quantity: number } = { members: 0, quantity: 0 },
): { members: number; quantity: number } {
  let members = open.members;
  let quantity = open.quantity;
  for (const level of levels) {
    if (compareDecimal(level.price, price) >= 0) {
      members += level.members;
      quantity += level.quantity;
    }
  }
  return { members, quantity };
}

/**
 * Quartiles of the max price (nearest-rank method, so every figure is a price someone actually gave),
 * weighted by members (how many shoppers) or by quantity (how many units). Null with no max price at all.
 */
export function priceQuartiles(
  levels: readonly PriceLevel[],
  weight: 'members' | 'quantity' = 'members',
): PriceQuartiles | null {
  return quartilesOfAscending(sortedLevels(levels).reverse(), weight);
}

function quartilesOfAscending(ascending: readonly PriceLevel[], weight: 'members' | 'quantity'): PriceQuartiles | null {
  const count = ascending.reduce((sum, level) => sum + level[weight], 0);
  if (count === 0) return null;
  const at = (fraction: number): string => {
    const rank = Math.max(1, Math.ceil(fraction * count));
    let seen = 0;
    for (const level of ascending) {
      seen += level[weight];
      if (seen >= rank) return level.price;
    }
    return ascending[ascending.length - 1]!.price;
  };
  const withWeight = ascending.filter((level) => level[weight] > 0);
  return {
    count,
    min: withWeight[0]!.price,
    q1: at(0.25),
    median: at(0.5),
    q3: at(0.75),
    max: withWeight[withWeight.length - 1]!.price,
  };
}

export interface PoolStatistics {
  curve: DemandPoint[];
  quartiles: { members: PriceQuartiles | null; units: PriceQuartiles | null };
}

/** The curve and both quartile sets at once (one sort of the levels instead of three). */
export function poolStatistics(levels: readonly PriceLevel[], options: DemandCurveOptions = {}): PoolStatistics {
  const sorted = sortedLevels(levels);
  const ascending = [...sorted].reverse();
  return {
    curve: curveOfSorted(sorted, options),
    quartiles: { members: quartilesOfAscending(ascending, 'members'), units: quartilesOfAscending(ascending, 'quantity') },
  };
}
