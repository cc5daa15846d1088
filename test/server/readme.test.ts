import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { appRouter } from '../../server/routers/_app.ts';
import type { Meta } from '../../server/trpc/procedures.ts';

/**
 * server/README.md lists every procedure with its kind and who may call it. Both sides are read here (the
 * router itself, and the README's table), so the table cannot drift from the code.
 */
const README = readFileSync(resolve(import.meta.dirname, '../../server/README.md'), 'utf8');

const WHO: Record<string, string> = { public: 'anyone', shopper: 'shopper', organiser: 'organiser', supplier: 'supplier' };

describe('server/README.md', () => {
  it('lists every procedure of the router, its kind and who may call it, and nothing else', () => {
    const documented = new Map<string, string>();
    for (const match of README.matchAll(/^\| `([\w.]+)` \| (query|mutation|subscription) \| ([^|]+) \|/gm)) {
      documented.set(match[1]!, `${match[2]} | ${match[3]!.trim()}`);
    }
    const actual = new Map<string, string>();
    const router: AnyTRPCRouter = appRouter;
    for (const [path, procedure] of Object.entries(router._def.procedures as Record<string, AnyTRPCProcedure>)) {
      const meta = procedure._def.meta as Meta | undefined;
      actual.set(path, `${procedure._def.type} | ${(meta?.access ?? []).map((a) => WHO[a]).join(', ')}`);
    }
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(actual));
  });
});
