/** Evidence from RDFa (`typeof` / `property`, with or without the `schema:` prefix). */
import type { PageContext, Reading } from '../types.ts';
import { RDFA } from './items.ts';
import { readItemSource } from './microdata.ts';

export function readRdfa(page: PageContext, heading: string | null): Reading | null {
  return readItemSource(page, heading, RDFA, 'rdfa');
}
