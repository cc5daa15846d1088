import type { AnyTRPCProcedure, AnyTRPCRouter } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../server/auth/tokens.ts';
import { appRouter } from '../../server/routers/_app.ts';
import type { Access, Meta } from '../../server/trpc/procedures.ts';
import { ENGINES, useHarness, useTestDatabase, type Caller } from './helpers.ts';

/**
 * Role × procedure. Every procedure of the router is enumerated from the router itself, so a procedure
 * added later is checked too; and it must appear in EXPECTED, so its access is a deliberate choice.
 */
const EXPECTED: Record<string, readonly Access[]> = {
  'identity.createShopper': ['public'],
  'identity.organiserSignUp': ['public'],
  'identity.organiserSignIn': ['public'],
  'identity.organiserSignOut': ['organiser'],
  'identity.me': ['shopper', 'organiser', 'supplier'],
  'products.lookup': ['shopper'],
  'products.sharePrice': ['shopper'],
  'products.get': ['shopper', 'organiser'],
  'products.priceHistory': ['shopper', 'organiser'],
  'products.stats': ['organiser'],
  'intents.register': ['shopper'],
  'intents.update': ['shopper'],
  'intents.withdraw': ['shopper'],
  'intents.mine': ['shopper'],
  'pools.get': ['shopper', 'organiser'],
  'pools.demand': ['shopper', 'organiser'],
  'pools.ranked': ['organiser'],
  'pools.onChange': ['shopper', 'organiser'],
  'system.ping': ['public'],
  'campaigns.create': ['organiser'],
  'campaigns.open': ['organiser'],
  'campaigns.cancel': ['organiser'],
  'campaigns.inviteSupplier': ['organiser'],
  'campaigns.acceptBid': ['organiser'],
  'campaigns.list': ['organiser'],
  'campaigns.get': ['organiser'],
  'campaigns.plan': ['organiser'],
  'bids.submit': ['supplier'],
  'bids.mine': ['supplier'],
  'bids.campaign': ['supplier'],
  'deals.mine': ['shopper'],
  'deals.get': ['shopper', 'organiser'],
  'deals.close': ['organiser'],
  'deals.handoff': ['organiser', 'supplier'],
  'commitments.respond': ['shopper'],
  'interests.list': ['shopper'],
  'interests.set': ['shopper'],
  'events.shopper': ['shopper'],
  'events.campaign': ['organiser'],
};

type RoleName = 'anonymous' | 'shopper' | 'organiser' | 'supplier';
const ROLES: RoleName[] = ['anonymous', 'shopper', 'organiser', 'supplier'];

function procedures(router: AnyTRPCRouter): Array<[string, AnyTRPCProcedure]> {
  return Object.entries(router._def.procedures as Record<string, AnyTRPCProcedure>);
}

/** Calls a procedure by path with an input that is deliberately invalid or empty. */
async function call(caller: Caller, path: string, type: string): Promise<string> {
  let target: unknown = caller;
  for (const part of path.split('.')) target = (target as Record<string, unknown>)[part];
  try {
    const result = await (target as (input: unknown) => Promise<unknown>)(undefined);
    if (type === 'subscription') {
      // A subscription that let us in: stop it at once.
      const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      await iterator.return?.();
    }
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? 'THROWN';
  }
}

describe('every procedure declares who may call it', () => {
  const all = procedures(appRouter);

  it('has an access in its meta, the one this matrix expects', () => {
    expect(all.length).toBeGreaterThan(10);
    for (const [path, procedure] of all) {
      const meta = procedure._def.meta as Meta | undefined;
      expect(meta?.access, `${path} has no access meta`).toBeDefined();
      expect(EXPECTED[path], `${path} is missing from the access matrix`).toBeDefined();
      expect([...meta!.access].sort(), path).toEqual([...EXPECTED[path]!].sort());
    }
    expect(Object.keys(EXPECTED).sort()).toEqual(all.map(([p]) => p).sort());
  });
});

describe.each(ENGINES)('role × procedure on %s', (engine) => {
  const t = useTestDatabase(engine);
  const h = useHarness(t);
  const actors = {} as Record<RoleName, Actor>;

  it('lets in exactly the declared roles', async () => {
    actors.anonymous = { role: 'anonymous' };
    actors.shopper = { role: 'shopper', shopperId: (await h.shopper()).shopperId };
    const org = await h.organiser();
    actors.organiser = { role: 'organiser', organiserId: org.organiserId, sessionHash: 'unused-in-this-test' };
    const sup = await h.supplier();
    actors.supplier = { role: 'supplier', invitationId: sup.invitationId, campaignId: sup.campaignId };

    const rows: string[] = [];
    for (const [path, procedure] of procedures(appRouter)) {
      const access = (procedure._def.meta as Meta).access;
      for (const role of ROLES) {
        // organiserSignOut would end the session other rows use: harmless here (sessionHash is fake).
        const code = await call(h.caller(actors[role]), path, procedure._def.type);
        const allowed = access.includes('public') || access.includes(role as Access);
        const denied = code === 'UNAUTHORIZED' || code === 'FORBIDDEN';
        // Sign-in with no input fails its input check, which is not an access denial.
        rows.push(`${path} × ${role}: ${allowed ? 'allowed' : 'denied'} → ${code}`);
        if (allowed) expect(denied, `${path} should let ${role} in (got ${code})`).toBe(false);
        else expect(code, `${path} should refuse ${role}`).toBe(role === 'anonymous' ? 'UNAUTHORIZED' : 'FORBIDDEN');
      }
    }
    expect(rows.length).toBe(procedures(appRouter).length * ROLES.length);
  });
});
