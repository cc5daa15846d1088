import { z } from 'zod';
import { AVAILABILITIES } from './availability.ts';

/**
 * What the detector read on one page. This is the contract between detection (content script), the
 * background, the popup and the server: every boundary parses it with this schema, because a content
 * script runs on pages we do not control.
 */

export { AVAILABILITIES };
export const Availability = z.enum(AVAILABILITIES);
export type Availability = z.infer<typeof Availability>;

/**
 * Where a value was read. One file per source in core/detection/sources/; `url` is the page's address
 * (a product id in its path, such as `/p/123456`).
 */
export const EVIDENCE_SOURCES = ['json-ld', 'microdata', 'rdfa', 'meta', 'visible', 'url'] as const;
export const EvidenceSource = z.enum(EVIDENCE_SOURCES);
export type EvidenceSource = z.infer<typeof EvidenceSource>;

/** A decimal amount as a string ("1299.99"): no floating point on money. */
export const DecimalString = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,6})?$/, 'expected a decimal amount such as 1299.99');

/** ISO 4217 alphabetic code. */
export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR');

/** GTIN-8, -12, -13 or -14, digits only, check digit verified by the detector. */
export const Gtin = z.string().regex(/^(\d{8}|\d{12,14})$/, 'expected a GTIN of 8, 12, 13 or 14 digits');

const Text = (max: number) => z.string().trim().min(1).max(max);
const HttpUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:/i.test(u), 'expected an http(s) URL');

export const SNAPSHOT_FIELDS = [
  'name',
  'price',
  'currency',
  'availability',
  'brand',
  'gtin',
  'mpn',
  'sku',
  'image',
  'url',
] as const;
export type SnapshotField = (typeof SNAPSHOT_FIELDS)[number];

export const ProductSnapshot = z.object({
  name: Text(500),
  price: DecimalString.nullable(),
  currency: CurrencyCode.nullable(),
  availability: Availability.nullable(),
  brand: Text(200).nullable(),
  gtin: Gtin.nullable(),
  mpn: Text(100).nullable(),
  sku: Text(100).nullable(),
  image: HttpUrl.nullable(),
  /** Canonical URL of the page. */
  url: HttpUrl,
  /** The site, as its registrable host name without `www.` (e.g. `shop.example.fr`). */
  retailer: Text(253),
  /** Per field, the sources that gave the chosen value (more than one means they agreed). */
  evidence: z.partialRecord(z.enum(SNAPSHOT_FIELDS), z.array(EvidenceSource).max(EVIDENCE_SOURCES.length)),
});
export type ProductSnapshot = z.infer<typeof ProductSnapshot>;
