import type { Availability, EvidenceSource } from '../snapshot.ts';
import type { CurrencyContext } from './parse/currency.ts';

/** What is known about the page before reading any evidence. */
export interface PageContext extends CurrencyContext {
  doc: Document;
  /** The page's address (absolute), if known. */
  url: string | null;
  /** Names the shop goes by (host, `og:site_name`), to strip from titles. */
  siteNames: string[];
  /** schema.org types the page's markup declares (lower case), filled in by the markup sources. */
  declaredTypes: Set<string>;
}

/**
 * The page's main heading (else its title), asked for only when needed: finding it reads the page's text,
 * and most pages never need it (one product in their markup, or none and nothing shown).
 */
export type HeadingText = () => string | null;

/** The product fields a source can read, already normalised (price as decimal string, ISO currency...). */
export interface ProductFields {
  name?: string | null;
  price?: string | null;
  currency?: string | null;
  availability?: Availability | null;
  brand?: string | null;
  gtin?: string | null;
  mpn?: string | null;
  sku?: string | null;
  image?: string | null;
  url?: string | null;
}

/** What one source of evidence read on the page. */
export interface Reading extends ProductFields {
  source: EvidenceSource;
  /** Other amounts the source gives for the same product (its other offers), best first. */
  otherPrices?: string[];
  /** The SKU is shown with a clear label beside the product's heading ("Product code: 123"). */
  skuShown?: boolean;
  /** Amounts the page shows as not the price paid now: crossed out, "was", "list price" (visible source). */
  wasPrices?: string[];
  /** The markup itself says its `wasPrices` are regular prices, not the price paid now (trusted alone). */
  declaresWas?: boolean;
  /**
   * How strongly this source says the page is about one product: 0 (it saw none), 1 (a hint: a buy button,
   * `og:type` product), 2 (a product described with an offer or identifier).
   */
  signal: 0 | 1 | 2;
}
