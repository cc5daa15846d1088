/**
 * Bounds on the work detection does, so that a huge or hostile page cannot hang the tab it runs in.
 * Real product pages stay far below each of them (the largest corpus page has 18k elements).
 * Imported as `LIMITS` (`import * as LIMITS`): plain constants, which the bundler writes in place.
 */

/** JSON-LD blocks read, characters of one block, and of all blocks together. */
export const jsonLdScripts = 40;
export const jsonLdChars = 400_000;
export const jsonLdTotalChars = 1_500_000;
/** Depth of nesting followed in JSON-LD, microdata and RDFa, and objects visited in all. */
export const depth = 12;
export const nodes = 5_000;
/** Microdata / RDFa: items, and properties read across all of them. */
export const items = 300;
export const properties = 4_000;
/** Elements of the page looked at by the one pass of the visible heuristics. */
export const scannedElements = 60_000;
/**
 * Elements looked at for the price shown (named so by their class, and again in the heading's block, where
 * the product's own price is), buy buttons, labelled identifiers.
 */
export const priceCandidates = 150;
export const buttons = 300;
export const labelRows = 800;
/** Characters of one element's text read as a short value (a price, a label, a button). */
export const shortText = 120;
