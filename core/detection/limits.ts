/**
 * Bounds on the work detection does, so that a huge or hostile page cannot hang the tab it runs in.
 * Real product pages stay far below each of them (the largest corpus page has 18k elements).
 */
export const LIMITS = {
  /** JSON-LD blocks read, characters of one block, and of all blocks together. */
  jsonLdScripts: 40,
  jsonLdChars: 400_000,
  jsonLdTotalChars: 1_500_000,
  /** Depth of nesting followed in JSON-LD, microdata and RDFa, and objects visited in all. */
  depth: 12,
  nodes: 5_000,
  /** Microdata / RDFa: items, and properties read across all of them. */
  items: 300,
  properties: 4_000,
  /** Elements of the page looked at by the one pass of the visible heuristics. */
  scannedElements: 60_000,
  /** Elements looked at for the price shown, buy buttons, labelled identifiers. */
  priceCandidates: 200,
  buttons: 300,
  labelRows: 800,
  /** Characters of one element's text read as a short value (a price, a label, a button). */
  shortText: 120,
} as const;
