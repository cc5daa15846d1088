/** Text as read from a page: whitespace collapsed, entities left by shops in JSON decoded, length bounded. */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

export function cleanText(value: unknown, max = 500): string | null {
  if (typeof value === 'number') value = String(value);
  if (typeof value !== 'string') return null;
  const s = value
    .slice(0, max * 4)
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (all, e: string) => {
      if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? all;
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : all;
    })
    .replace(/<[^>]{0,200}>/g, ' ') // names are text, never HTML
    .replace(/[\s\u00a0\u200b\u200e\u200f]+/g, ' ')
    .trim();
  if (!s) return null;
  return s.length > max ? s.slice(0, max).trim() : s;
}

/** Separators shops put between a product's name and their own in titles: "Name | Shop", "Name - Shop.com". */
const TITLE_SEPARATOR = /\s+[|–—\-:·•»]\s+|\s*\|\s*/;

/**
 * The product's name without the shop's suffix or prefix. A part is the shop's when it names the site
 * (its host or `og:site_name`), or is one of several parts when a clean name is known to compare with.
 */
export function stripShopName(name: string, siteNames: readonly string[]): string {
  const parts = name.split(TITLE_SEPARATOR).map((p) => p.trim()).filter(Boolean);
  if (parts.length < 2) return name;
  const keys = siteNames.map(compact).filter((k) => k.length >= 3);
  const isShop = (part: string) => {
    const c = compact(part);
    return c.length > 0 && keys.some((k) => c === k || c.includes(k) || (k.includes(c) && c.length >= 4));
  };
  let kept = parts;
  while (kept.length > 1 && isShop(kept[kept.length - 1] ?? '')) kept = kept.slice(0, -1);
  const suffixed = kept.length < parts.length;
  while (kept.length > 1 && isShop(kept[0] ?? '')) kept = kept.slice(1);
  if (kept.length === parts.length) return name;
  // "Product | Category | Shop": what stands between the product and the shop is its category.
  if (suffixed && kept.length > 1 && name.split('|').length === parts.length) return kept[0] ?? name;
  // Rejoin what is left with the separators it had: find it as one span of the original.
  const first = kept[0] ?? '';
  const last = kept[kept.length - 1] ?? '';
  const start = name.indexOf(first);
  const end = name.lastIndexOf(last) + last.length;
  return start >= 0 && end > start ? name.slice(start, end) : kept.join(' - ');
}

function compact(s: string): string {
  return s
    .toLowerCase()
    .replace(/^www\./, '')
    .replace(/\.[a-z]{2,3}(\.[a-z]{2})?$/, '')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

/** A brand as shops sometimes wrap it: "More from the brand: Bosch" → "Bosch". */
export function cleanBrand(brand: string): string | null {
  const afterColon = /[:：]\s*([^:：]{1,80})$/u.exec(brand)?.[1]?.trim();
  const b = afterColon ?? brand;
  // Template placeholders left unfilled ("$metabrand", "{{brand}}") are no brand.
  if (/^[$%{[<]|\{\{|^(?:brand|null|undefined|n\/a|none|generic|unknown)$/i.test(b)) return null;
  return b && b.length <= 100 ? b : null;
}
