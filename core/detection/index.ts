import type { ProductSnapshot } from '../snapshot.ts';

export interface DetectOptions {
  /** The page's address, when known better than the document's own (e.g. a saved page). */
  url?: string;
}

/**
 * Reads the product shown on a page, or null when the page is not a product page.
 * Pure: standard DOM APIs only, no network, bounded work; runs in the content script and in Node.
 * (Interface only: the detection pipeline lands in the detection work.)
 */
export function detectProduct(_doc: Document, _options: DetectOptions = {}): ProductSnapshot | null {
  return null;
}
