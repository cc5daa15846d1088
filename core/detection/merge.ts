/**
 * Chooses each field from the readings of all sources. Sources that agree add up; markup outweighs what
 * the page shows, because it names the product's own offer (the visible source already leaves out "was"
 * prices and prices in lists of other products). The chosen value carries the sources that gave it.
 */
import type { EvidenceSource, SnapshotField } from '../snapshot.ts';
import type { ProductFields, Reading } from './types.ts';

const WEIGHT: Record<EvidenceSource, number> = { 'json-ld': 4, microdata: 4, rdfa: 3, meta: 3, visible: 2, url: 1 };

export interface Choice<T> {
  value: T;
  sources: EvidenceSource[];
}

type Field = keyof ProductFields & SnapshotField;

/** How two values are compared: the same brand in other case, the same URL with a trailing slash. */
function keyOf(field: Field, value: string): string {
  if (field === 'brand' || field === 'name' || field === 'sku' || field === 'mpn') return value.toLowerCase().replace(/\s+/g, ' ');
  if (field === 'url' || field === 'image') return value.replace(/\/$/, '');
  return value;
}

export function choose<F extends Field>(
  readings: readonly Reading[],
  field: F,
  bonus: (r: Reading) => number = () => 0,
): Choice<NonNullable<ProductFields[F]>> | null {
  const groups = new Map<string, { value: NonNullable<ProductFields[F]>; weight: number; sources: EvidenceSource[] }>();
  for (const r of readings) {
    const value = r[field];
    if (value === null || value === undefined) continue;
    const key = keyOf(field, String(value));
    const g = groups.get(key) ?? { value: value as NonNullable<ProductFields[F]>, weight: 0, sources: [] };
    g.weight += WEIGHT[r.source] + bonus(r);
    if (!g.sources.includes(r.source)) g.sources.push(r.source);
    groups.set(key, g);
  }
  let best: { value: NonNullable<ProductFields[F]>; weight: number; sources: EvidenceSource[] } | null = null;
  for (const g of groups.values()) if (!best || g.weight > best.weight) best = g; // first wins ties: readings come strongest first
  return best ? { value: best.value, sources: best.sources } : null;
}

/**
 * A price from markup that the page shows crossed out (a "was" price left in the markup) gives way to
 * the source's other offers, or to the price the page shows.
 */
export function withoutWasPrices(readings: readonly Reading[]): Reading[] {
  // Only where the page also shows a current price (a lone crossed-out amount may be styling), or where
  // markup itself names the regular price apart from the one paid now (Open Graph's original/standard price).
  const shown = readings.find((r) => r.source === 'visible')?.price;
  const was = new Set(readings.flatMap((r) => (shown || r.declaresWas ? (r.wasPrices ?? []) : [])));
  if (!was.size) return [...readings];
  return readings.map((r) => {
    if (!r.price || !was.has(r.price)) return r;
    const other = r.otherPrices?.find((p) => !was.has(p)) ?? null;
    return { ...r, price: other };
  });
}

/** Page types that say "this is something to read": a product shown there is reviewed or cited, not sold. */
const ARTICLE_TYPES = new Set(['article', 'newsarticle', 'blogposting', 'review', 'reportagenewsarticle', 'socialmediaposting', 'recipe', 'techarticle', 'scholarlyarticle', 'liveblogposting']);

export function declaresArticle(declaredTypes: ReadonlySet<string>): boolean {
  for (const t of declaredTypes) if (ARTICLE_TYPES.has(t)) return true;
  return false;
}

/**
 * Whether the readings together say the page is about one product. Markup that describes a product with
 * an offer or an identifier is enough; what is only shown (a heading, a price, a buy button) is enough
 * unless the page's markup declares it an article (reviews show prices and "buy" links too).
 */
export function isProductPage(readings: readonly Reading[], declaredTypes: ReadonlySet<string>): boolean {
  if (readings.some((r) => r.signal === 2)) return true;
  if (declaresArticle(declaredTypes)) return false;
  const visible = readings.find((r) => r.source === 'visible');
  const meta = readings.find((r) => r.source === 'meta');
  if (visible?.signal === 1) return true;
  // Open Graph says "product" and a price is shown or given.
  return meta?.signal === 1 && (meta.price != null || visible?.price != null);
}
