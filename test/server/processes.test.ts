import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopperNotice } from '../../core/shopper-deal.ts';
import type { AppRouter } from '../../server/routers/_app.ts';
import { snapshot, TEST_DATABASE_URL } from './helpers.ts';

/**
 * Past one machine: two real server processes (`node --import tsx server/main.ts`) on one PostgreSQL.
 * An event caused through one reaches the subscribers of the other, because events travel through the
 * database (the event table, with NOTIFY as the wake-up), not through memory.
 */

function client(url: string, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: `${url}/trpc`, EventSource, connectionParams: token ? { token } : null }),
        false: httpBatchLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) }),
      }),
    ],
  });
}

interface Child {
  process: ChildProcess;
  url: string;
  output: string[];
}

async function startProcess(databaseUrl: string): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', RATE_PER_SEC: '10000', RATE_BURST: '10000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join('')}`));
    });
  });
  return { process: child, url, output };
}

async function stopProcess(child: Child | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (child.process.exitCode === null) child.process.kill('SIGKILL');
}

/** The next notice of one type on a live subscription, or a rejection after the timeout. */
function nextNotice<T extends { type: string }>(
  subscribe: (handlers: { onStarted: () => void; onData: (envelope: { id: string; data: T }) => void; onError: (e: unknown) => void }) => { unsubscribe(): void },
  type: string,
  timeoutMs = 15_000,
): { started: Promise<void>; received: Promise<T> } {
  let started!: () => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const received = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`no ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = subscribe({
      onStarted: () => started(),
      onData: (envelope) => {
        if (envelope.data.type !== type) return;
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(envelope.data);
      },
      onError: (error) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    });
  });
  return { started: startedPromise, received };
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

if (!TEST_DATABASE_URL) {
  console.log('processes.test.ts: skipped, no PostgreSQL configured (set TEST_DATABASE_URL to run two server processes on one database)');
}

describe.runIf(Boolean(TEST_DATABASE_URL))('two server processes on one PostgreSQL', () => {
  const schema = `p_${randomBytes(6).toString('hex')}`;
  const url = new URL(TEST_DATABASE_URL ?? 'postgres://unused');
  url.searchParams.set('options', `-c search_path=${schema}`);
  let a: Child | undefined;
  let b: Child | undefined;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    // One after the other: both run the migrations at start, the second finds them done.
    a = await startProcess(url.toString());
    b = await startProcess(url.toString());
  }, 120_000);

  afterAll(async () => {
    await Promise.all([stopProcess(a), stopProcess(b)]);
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  it('delivers a deal formed through one process to the shopper and organiser subscribed to the other', async () => {
    expect(a!.url).not.toBe(b!.url);
    const viaA = client(a!.url);
    const shopper = await viaA.identity.createShopper.mutate();
    const shopperA = client(a!.url, shopper.token);
    const shopperB = client(b!.url, shopper.token);
    const joined = await shopperA.intents.register.mutate({ id: randomUUID(), snapshot: snapshot(), quantity: 3, currency: 'EUR', region: 'FR' });
    const organiser = await viaA.identity.organiserSignUp.mutate({ email: `org-${randomUUID()}@example.org`, password: 'correct horse battery', displayName: 'Org' });
    const orgA = client(a!.url, organiser.token);
    const orgB = client(b!.url, organiser.token);
    const campaign = await orgA.campaigns.create.mutate({ poolId: joined.pool.id, targetPrice: '150', deadline: inDays(5), organiserMargin: '5%' });
    await orgA.campaigns.open.mutate({ campaignId: campaign.id });
    const invitation = await orgA.campaigns.inviteSupplier.mutate({ campaignId: campaign.id, supplierName: 'Acme' });
    const supplierA = client(a!.url, invitation.token);
    // First tier at 5 units: the pool (3) is short, so the deal forms on a later join.
    const bid = await supplierA.bids.submit.mutate({ tiers: [{ minQuantity: 5, unitPrice: '120' }], validUntil: inDays(6) });

    const shopperSide = nextNotice<ShopperNotice>((h) => shopperB.events.shopper.subscribe({}, h), 'deal.formed');
    const organiserSide = nextNotice<{ type: string; payload?: unknown; createdAt: string }>((h) => orgB.events.campaign.subscribe({ campaignId: campaign.id }, h), 'deal.formed');
    await Promise.all([shopperSide.started, organiserSide.started]);

    const accepted = await orgA.campaigns.acceptBid.mutate({ campaignId: campaign.id, bidId: bid.id });
    expect(accepted.deal).toBeNull();
    // A second shopper joins through process A: the pool reaches the tier, a deal engine forms the deal.
    const other = await viaA.identity.createShopper.mutate();
    await client(a!.url, other.token).intents.register.mutate({ id: randomUUID(), productId: joined.intent.productId, quantity: 2, currency: 'EUR', region: 'FR' });

    const [notice, organiserEvent] = await Promise.all([shopperSide.received, organiserSide.received]);
    expect(notice).toMatchObject({ type: 'deal.formed', campaignId: campaign.id, unitPrice: '120', currency: 'EUR' });
    expect(organiserEvent.type).toBe('deal.formed');

    // And back: a confirmation through B drops nothing here (one tier), but closing through B reaches a subscriber of A.
    const closedOnA = nextNotice<ShopperNotice>((h) => shopperA.events.shopper.subscribe({}, h), 'deal.closed');
    await closedOnA.started;
    await shopperB.commitments.respond.mutate({ dealId: notice.dealId!, decision: 'confirm', shareContact: { name: 'Zoé', email: 'zoe@example.org' } });
    await client(b!.url, other.token).commitments.respond.mutate({ dealId: notice.dealId!, decision: 'confirm' });
    const closed = await orgB.deals.close.mutate({ dealId: notice.dealId! });
    expect(closed).toMatchObject({ state: 'closed', firmQuantity: 5 });
    expect(await closedOnA.received).toMatchObject({ type: 'deal.closed', outcome: 'closed', dealId: notice.dealId });

    // The hand-off is the same whichever process serves it.
    const csv = await fetch(`${b!.url}/handoff/${notice.dealId}.csv`, { headers: { authorization: `Bearer ${invitation.token}` } });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines.filter((l) => l.includes('zoe@example.org'))).toHaveLength(1);
  });
});
