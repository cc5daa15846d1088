/**
 * Evidence from the page's address: shops put the product's id in it (`/p/123456`, `/item-name-123456.html`,
 * `?pid=123456`). Weak evidence, used for the SKU only when the page gives none, or to confirm one.
 */
import { decodeUri } from '../parse/url.ts';
import type { PageContext, Reading } from '../types.ts';

const ID_PARAMS = /^(?:pid|sku|product_?id|productid|item_?id|itemid|id|art|article)$/i;

/** A token that looks like an id: 5+ digits, or capitals and digits. */
function idToken(token: string): string | null {
  if (/^\d{5,20}$/.test(token)) return token;
  // Capitals then digits ("M67296549"), or a ten-character code of both ("B08LNDXM65").
  if (/^[A-Z]{1,3}\d{5,12}$/.test(token)) return token;
  if (/^[A-Z0-9]{10}$/.test(token) && /\d.*\d/.test(token) && /[A-Z].*[A-Z]/.test(token)) return token;
  // "p4781720": a letter before the number marks it as a product id.
  const prefixed = /^[a-z](\d{5,12})$/.exec(token);
  return prefixed?.[1] ?? null;
}

export function productIdOfUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  for (const [key, value] of u.searchParams) {
    if (ID_PARAMS.test(key) && /^[A-Za-z0-9-]{4,30}$/.test(value) && /\d/.test(value)) return value;
  }
  const segments = u.pathname.split('/').filter(Boolean);
  const last = decodeUri(segments[segments.length - 1] ?? '').replace(/\.(?:html?|php|aspx?|jsp)$/i, '');
  const tokens = last.split(/[-_.,~+ ]+/).reverse();
  for (const t of tokens) {
    const id = idToken(t);
    if (id) return id;
  }
  return null;
}

export function readUrl(page: PageContext): Reading | null {
  const sku = page.url ? productIdOfUrl(page.url) : null;
  return sku ? { source: 'url', signal: 0, sku } : null;
}
