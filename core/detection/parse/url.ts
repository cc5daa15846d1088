/** URLs made absolute against the page's address, http(s) only, bounded in length. */
const MAX_URL = 2048;

export function absoluteUrl(value: unknown, base: string | null | undefined): string | null {
  if (typeof value !== 'string') return null;
  // "&amp;" in a URL is HTML escaping left in JSON or an attribute copied as text.
  const v = value.trim().replace(/&amp;/g, '&');
  if (!v || v.length > MAX_URL || /^(?:data|javascript|blob):/i.test(v)) return null;
  try {
    const u = base ? new URL(v, base) : new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    const s = u.href;
    return s.length <= MAX_URL ? s : null;
  } catch {
    return null;
  }
}

/** The retailer: the page's host name without a leading `www.` (`www.shop.example.fr` → `shop.example.fr`). */
export function retailerOf(url: string): string | null {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host.replace(/^www\d?\./, '') || null;
  } catch {
    return null;
  }
}

/** A URI component decoded, as it is when it cannot be. Decoding is slow, and most have nothing to decode. */
export function decodeUri(s: string): string {
  try {
    return s.includes('%') ? decodeURIComponent(s) : s;
  } catch {
    return s;
  }
}
