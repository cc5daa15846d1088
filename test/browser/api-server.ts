import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import { startServer, type RunningServer } from '../../server/http/server.ts';
import type { AppRouter } from '../../server/routers/_app.ts';

/**
 * The real tRPC server on PGlite, in a data directory of its own, for the browser tests: it can be stopped
 * and started again on the same port with the same data (the shopper's "server is down" case). Every request
 * it receives is recorded, to check what the extension sends and when.
 */
export class ApiServer {
  /** `METHOD path` of every request received (query strings left out). */
  readonly requests: string[] = [];
  private running: RunningServer | null = null;
  private port = 0;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'group-buy-api-'));

  static async start(): Promise<ApiServer> {
    const server = new ApiServer();
    await server.resume();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get db() {
    if (!this.running) throw new Error('the API server is stopped');
    return this.running.database.db;
  }

  /** Starts (again): same port, same data directory. */
  async resume(): Promise<void> {
    this.running = await startServer({
      env: { PORT: this.port, HOST: '127.0.0.1', DATA_DIR: this.dataDir, LOG_LEVEL: 'silent', RATE_PER_SEC: 1000, RATE_BURST: 1000 },
      logger: false,
      configure: (app) => {
        app.addHook('onRequest', async (request) => {
          this.requests.push(`${request.method} ${request.url.split('?')[0]}`);
        });
      },
    });
    this.port = Number(new URL(this.running.url).port);
  }

  async stop(): Promise<void> {
    await this.running?.close();
    this.running = null;
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  client(token?: string): TRPCClient<AppRouter> {
    return createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${this.url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
    });
  }

  /** An organiser (new account) and their client. */
  async organiser() {
    const { token } = await this.client().identity.organiserSignUp.mutate({
      email: `organiser-${Date.now()}-${Math.random().toString(36).slice(2)}@example.org`,
      password: 'a long enough password',
      displayName: 'Organiser',
    });
    return this.client(token);
  }

  /** A campaign on a pool, opened for bids (shoppers whose interests match are alerted). */
  async openCampaign(poolId: string, targetPrice: string) {
    const organiser = await this.organiser();
    const deadline = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
    const campaign = await organiser.campaigns.create.mutate({ poolId, targetPrice, deadline, organiserMargin: '5%' });
    return organiser.campaigns.open.mutate({ campaignId: campaign.id });
  }

  /**
   * A deal through the API, as an organiser and a supplier would make it: campaign on the pool, opened,
   * a supplier invited who bids, the bid accepted. The pool already reaches the first tier, so it forms at once.
   */
  async formDeal(poolId: string, tiers: { minQuantity: number; unitPrice: string }[], margin = '5%') {
    const organiser = await this.organiser();
    const inAWeek = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
    const campaign = await organiser.campaigns.create.mutate({ poolId, targetPrice: tiers[0]!.unitPrice, deadline: inAWeek, organiserMargin: margin });
    await organiser.campaigns.open.mutate({ campaignId: campaign.id });
    const invitation = await organiser.campaigns.inviteSupplier.mutate({ campaignId: campaign.id, supplierName: 'Supplier' });
    const bid = await this.client(invitation.token).bids.submit.mutate({ tiers, validUntil: inAWeek });
    return organiser.campaigns.acceptBid.mutate({ campaignId: campaign.id, bidId: bid.id, confirmWindowHours: 2 });
  }
}
