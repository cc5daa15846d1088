import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle, type Engine } from '../../server/db/index.ts';
import { hashToken, type Actor } from '../../server/auth/tokens.ts';
import { createContextInner } from '../../server/trpc/context.ts';
import { createSupplierInvitation } from '../../server/domain/suppliers.ts';
import { EventBus } from '../../server/events/bus.ts';
import { appRouter } from '../../server/routers/_app.ts';
import { createCallerFactory } from '../../server/trpc/procedures.ts';
import type { ProductSnapshot } from '../../core/snapshot.ts';

/**
 * The whole server suite runs on every engine available: PGlite always, PostgreSQL when
 * TEST_DATABASE_URL is set. Each test file gets its own database: one in-memory PGlite (a cold start
 * costs seconds, so one per file) and, on PostgreSQL, a fresh schema dropped at the end.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const ENGINES: Engine[] = TEST_DATABASE_URL ? ['pglite', 'postgresql'] : ['pglite'];

let sharedPGlite: Promise<PGlite> | null = null;

export interface TestDatabase {
  readonly handle: DatabaseHandle;
  readonly url: string | undefined;
  readonly schema: string | undefined;
}

/** Registers beforeAll/afterAll hooks; the handle is ready inside tests. One call per engine per file. */
export function useTestDatabase(engine: Engine): TestDatabase {
  let handle: DatabaseHandle | undefined;
  const schema = engine === 'postgresql' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  beforeAll(async () => {
    if (engine === 'pglite') {
      sharedPGlite ??= PGlite.create('memory://');
      handle = await openDatabase({ pglite: await sharedPGlite });
    } else {
      handle = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 8 });
    }
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle?.close();
    if (engine === 'postgresql' && schema) {
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  });
  return {
    get handle() {
      if (!handle) throw new Error('test database not ready (use it inside a test)');
      return handle;
    },
    url: TEST_DATABASE_URL,
    schema,
  };
}

// ---- A harness: callers per role, without HTTP ----------------------------------------------------


const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

export interface Harness {
  bus: EventBus;
  caller(actor?: Actor): Caller;
  /** A new shopper, through the API; returns its caller. */
  shopper(): Promise<{ caller: Caller; shopperId: string; token: string }>;
  organiser(): Promise<{ caller: Caller; organiserId: string; token: string }>;
  supplier(): Promise<{ caller: Caller; invitationId: string; campaignId: string; token: string }>;
}

let counter = 0;
export function uniqueSuffix(): string {
  counter += 1;
  return `${Date.now().toString(36)}${counter}${randomBytes(3).toString('hex')}`;
}

export function useHarness(t: TestDatabase): Harness {
  let bus: EventBus | undefined;
  beforeAll(async () => {
    bus = new EventBus(t.handle);
    await bus.start();
  });
  afterAll(async () => {
    await bus?.stop();
  });
  const caller = (actor?: Actor) => {
    if (!bus) throw new Error('harness not ready');
    return createCaller(createContextInner({ db: t.handle.db, bus, actor: actor ?? { role: 'anonymous' } }));
  };
  return {
    get bus() {
      if (!bus) throw new Error('harness not ready');
      return bus;
    },
    caller,
    async shopper() {
      const { shopperId, token } = await caller().identity.createShopper();
      return { caller: caller({ role: 'shopper', shopperId }), shopperId, token };
    },
    async organiser() {
      const email = `organiser-${uniqueSuffix()}@example.org`;
      const { organiser, token } = await caller().identity.organiserSignUp({
        email,
        password: 'correct horse battery',
        displayName: 'Org',
      });

      return {
        caller: caller({ role: 'organiser', organiserId: organiser.id, sessionHash: hashToken(token) }),
        organiserId: organiser.id,
        token,
      };
    },
    async supplier() {
      const { db } = t.handle;
      const org = await this.organiser();
      const product = await db
        .insertInto('product')
        .values({ name: 'Bench', name_key: uniqueSuffix(), attr_key: '', gtin: null, brand: null, brand_key: null, mpn: null, mpn_key: null, image: null, merged_into: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const pool = await db.insertInto('pool').values({ product_id: product.id, currency: 'EUR', region: 'FR', merged_into: null }).returning('id').executeTakeFirstOrThrow();
      const campaign = await db.insertInto('campaign').values({ pool_id: pool.id, organiser_id: org.organiserId }).returning('id').executeTakeFirstOrThrow();
      const invitation = await createSupplierInvitation(db, campaign.id, 'Supplier SA');
      return {
        caller: caller({ role: 'supplier', invitationId: invitation.invitationId, campaignId: campaign.id }),
        invitationId: invitation.invitationId,
        campaignId: campaign.id,
        token: invitation.token,
      };
    },
  };
}

/** A snapshot as the detector would produce it; every call gets its own product unless told otherwise. */
export function snapshot(overrides: Partial<ProductSnapshot> = {}): ProductSnapshot {
  const suffix = uniqueSuffix();
  return {
    name: `Casque Zorblax ZX-${suffix} noir`,
    price: '199.99',
    currency: 'EUR',
    availability: 'InStock',
    brand: 'Zorblax',
    gtin: null,
    mpn: `ZX${suffix}`.toUpperCase(),
    sku: null,
    image: null,
    url: `https://shop-a.example.fr/p/${suffix}`,
    retailer: 'shop-a.example.fr',
    evidence: {},
    ...overrides,
  };
}

/** A valid GTIN-13 built from 12 digits (adds the check digit). */
export function gtin13(body12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body12[i]) * (i % 2 === 0 ? 1 : 3);
  return `${body12}${(10 - (sum % 10)) % 10}`;
}

export function randomGtin(): string {
  const body = `40${Array.from({ length: 10 }, () => Math.floor(Math.random() * 10)).join('')}`;
  return gtin13(body);
}

/** Rejects with the tRPC code of the error, for `await expect(codeOf(p)).resolves.toBe('CONFLICT')`. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
