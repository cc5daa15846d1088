import type { Migration } from 'kysely';
import * as m0001 from './0001_pooling.ts';
import * as m0002 from './0002_negotiation.ts';

/**
 * Every migration, in order. Listed statically (not read from the file system) so the set is checked
 * by the type checker and works the same under tsx, vitest and a bundler. Later issues append here.
 */
export const migrations: Record<string, Migration> = {
  '0001_pooling': m0001,
  '0002_negotiation': m0002,
};
