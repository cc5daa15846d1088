/** Evidence from RDFa (`typeof` / `property`, with or without the `schema:` prefix). */
import type { HeadingText, PageContext, Reading } from '../types.ts';
import { RDFA } from './items.ts';
import { readItemSource } from './microdata.ts';

export function readRdfa(page: PageContext, heading: HeadingText): Reading | null {
  return readItemSource(page, heading, RDFA, 'rdfa');
}
