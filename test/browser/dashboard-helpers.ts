import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { Page } from 'playwright-core';
import { registerDashboard, DASHBOARD_DIR } from '../../server/http/dashboard.ts';
import { openDatabase, type DatabaseHandle } from '../../server/db/index.ts';
import { startServer, type RunningServer } from '../../server/http/server.ts';
import type { AppRouter } from '../../server/routers/_app.ts';
import { gtin13, snapshot, uniqueSuffix } from '../server/helpers.ts';

/** Screenshots of each screen, kept as test artifacts (test-results/ is gitignored). */
export const SCREENS_DIR = resolve(import.meta.dirname, '../../test-results/screens');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  await page.screenshot({ path: resolve(SCREENS_DIR, `${name}.png`), fullPage: true });
}

export type ApiClient = ReturnType<typeof apiClient>;

/** A tRPC client over HTTP, as any other client of the server (the test seeds data the way shoppers would). */
export function apiClient(url: string, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });
}

export interface DashboardServer {
  server: RunningServer;
  database: DatabaseHandle;
  port: number;
  close(): Promise<void>;
}

/** The real server on a fresh in-memory PGlite, serving the built dashboard as `npm start` does. */
export async function startDashboardServer(): Promise<DashboardServer> {
  if (!existsSync(resolve(DASHBOARD_DIR, 'index.html'))) {
    throw new Error(`No built dashboard in ${DASHBOARD_DIR}: run \`npm run build\` first (npm test does).`);
  }
  const database = await openDatabase({ pglite: await PGlite.create('memory://') });
  const server = await startServer({
    database,
    env: { PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent', RATE_PER_SEC: 10_000, RATE_BURST: 10_000 },
    logger: false,
    configure: async (app) => {
      await registerDashboard(app);
    },
  });
  return {
    server,
    database,
    port: Number(new URL(server.url).port),
    async close() {
      await server.close();
      await database.close();
    },
  };
}

export interface SeededPool {
  productName: string;
  gtin: string;
  poolId: string;
  /** Every shopper id of the pool: none may ever reach a supplier. */
  shopperIds: string[];
  shopperTokens: string[];
}

/**
 * A pool created through the API as shoppers' extensions would: `members` shoppers join the same product
 * (one GTIN) from two retailers with their max prices, so the pool has a demand curve, quartiles and
 * market prices at two shops.
 */
export async function seedPool(url: string, members: Array<{ quantity: number; maxPrice: string | null }>, name?: string): Promise<SeededPool> {
  const anonymous = apiClient(url);
  const suffix = uniqueSuffix();
  const gtin = gtin13(`40${String(Date.now()).slice(-10)}`);
  const productName = name ?? `Casque Zorblax ZX-${suffix} noir`;
  const shops = [
    { retailer: 'shop-a.example.fr', price: '199.99' },
    { retailer: 'shop-b.example.fr', price: '189.50' },
  ];
  let poolId = '';
  const shopperIds: string[] = [];
  const shopperTokens: string[] = [];
  for (const [i, member] of members.entries()) {
    const { shopperId, token } = await anonymous.identity.createShopper.mutate();
    const shop = shops[i % shops.length]!;
    const page = snapshot({ name: productName, gtin, mpn: null, retailer: shop.retailer, url: `https://${shop.retailer}/p/${suffix}`, price: shop.price });
    const joined = await apiClient(url, token).intents.register.mutate({
      id: randomUUID(),
      snapshot: page,
      quantity: member.quantity,
      maxPrice: member.maxPrice,
      currency: 'EUR',
      region: 'FR',
    });
    poolId = joined.pool.id;
    shopperIds.push(shopperId);
    shopperTokens.push(token);
  }
  return { productName, gtin, poolId, shopperIds, shopperTokens };
}

export const ORGANISER_PASSWORD = 'correct horse battery staple';

/** An organiser account, created through the API (the UI test signs in with it). */
export async function seedOrganiser(url: string): Promise<{ email: string; password: string; displayName: string; token: string }> {
  const email = `organiser-${uniqueSuffix()}@example.org`;
  const displayName = 'Camille Organiser';
  const { token } = await apiClient(url).identity.organiserSignUp.mutate({ email, password: ORGANISER_PASSWORD, displayName });
  return { email, password: ORGANISER_PASSWORD, displayName, token };
}

/** Signs in through the dashboard's form. */
export async function signInThroughUi(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel(/^(E-mail)$/).fill(email);
  await page.getByLabel(/^(Password|Mot de passe)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|Se connecter)$/ }).click();
  await page.getByTestId('organiser-name').waitFor();
}
