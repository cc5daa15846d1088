import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../server/domain/handoff.ts';
import { startServer, type RunningServer } from '../../server/http/server.ts';
import { codeOf, ENGINES, useHarness, useTestDatabase } from './helpers.ts';
import { campaignWithBid, poolWithMembers } from './negotiation.ts';

/** A tiny RFC 4180 reader, to check the export parses back to what went in. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('CSV cells', () => {
  it('quotes separators, quotes and line breaks, and defuses formulas', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(3)).toBe('3');
    expect(csvCell('-3')).toBe("'-3");
    expect(csvCell('Dupont, Jean')).toBe('"Dupont, Jean"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+33 6 12')).toBe("'+33 6 12");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
  });
});

describe.each(ENGINES)('hand-off export on %s', (engine) => {
  const t = useTestDatabase(engine);
  const h = useHarness(t);
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ database: t.handle, env: { PORT: 0, HOST: '127.0.0.1', LOG_LEVEL: 'silent' }, logger: false });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('gives the supplier and the organiser the confirmed order list, contacts only where shared', async () => {
    const { poolId, members } = await poolWithMembers(h, [2, 3, 1, 4]);
    const { org, campaign, bid, invitation } = await campaignWithBid(h, poolId, [{ minQuantity: 5, unitPrice: '89.90' }]);
    const { deal } = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id });
    const dealId = deal!.dealId;
    const [a, b, c, d] = members;
    await a!.caller.commitments.respond({
      dealId,
      decision: 'confirm',
      shareContact: { name: '=cmd|" /C calc"!A0', email: 'a@example.org', address: '12 rue de la Paix, 75002 Paris\n3e étage' },
    });
    await b!.caller.commitments.respond({ dealId, decision: 'confirm' });
    // C shares, then declines: nothing of C goes to the supplier.
    await c!.caller.commitments.respond({ dealId, decision: 'confirm', shareContact: { name: 'Claire', email: 'c@example.org' } });
    await c!.caller.commitments.respond({ dealId, decision: 'decline', shareContact: { name: 'Claire', email: 'c@example.org' } });
    // D never answers.
    void d;

    const csvUrl = `${server.url}/handoff/${dealId}.csv`;
    const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    // Not before the close.
    expect((await fetch(csvUrl, auth(invitation.token))).status).toBe(412);
    await org.caller.deals.close({ dealId });

    const response = await fetch(csvUrl, auth(invitation.token));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="order-list-${dealId}.csv"`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    // A byte order mark, so spreadsheets read the accents as UTF-8 (text() would drop it).
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['line', 'product', 'gtin', 'quantity', 'unit_price', 'currency', 'name', 'email', 'address']);
    const body = rows.slice(1).map((r) => [r[0], r[3], r[4], r[5], r[6], r[7], r[8]]);
    expect(body).toEqual([
      ['1', '2', '89.9', 'EUR', '\'=cmd|" /C calc"!A0', 'a@example.org', '12 rue de la Paix, 75002 Paris\n3e étage'],
      ['2', '3', '89.9', 'EUR', '', '', ''],
    ]);
    expect(text).not.toContain('c@example.org');
    expect(text).not.toContain('Claire');

    const json = await fetch(`${server.url}/handoff/${dealId}.json`, auth(org.token));
    expect(json.status).toBe(200);
    const handoff = (await json.json()) as { firmQuantity: number; unitPrice: string; lines: unknown[] };
    expect(handoff).toMatchObject({ firmQuantity: 5, unitPrice: '89.9', currency: 'EUR' });
    expect(handoff.lines).toEqual([
      { line: 1, quantity: 2, name: '=cmd|" /C calc"!A0', email: 'a@example.org', address: '12 rue de la Paix, 75002 Paris\n3e étage' },
      { line: 2, quantity: 3, name: null, email: null, address: null },
    ]);
    // The same through tRPC.
    expect(await org.caller.deals.handoff({ dealId })).toEqual(handoff);
  });

  it('refuses everyone else', async () => {
    const { poolId, members } = await poolWithMembers(h, [5]);
    const { org, campaign, bid } = await campaignWithBid(h, poolId, [{ minQuantity: 5, unitPrice: '10' }]);
    // Another supplier invited to the same campaign, whose bid was not accepted.
    const rival = await org.caller.campaigns.inviteSupplier({ campaignId: campaign.id, supplierName: 'Rival' });
    const rivalCaller = h.caller({ role: 'supplier', invitationId: rival.invitationId, campaignId: campaign.id });
    await rivalCaller.bids.submit({ tiers: [{ minQuantity: 5, unitPrice: '11' }], validUntil: new Date(Date.now() + 86_400_000).toISOString() });
    const { deal } = await org.caller.campaigns.acceptBid({ campaignId: campaign.id, bidId: bid.id });
    await members[0]!.caller.commitments.respond({ dealId: deal!.dealId, decision: 'confirm' });
    await org.caller.deals.close({ dealId: deal!.dealId });
    const url = `${server.url}/handoff/${deal!.dealId}.csv`;
    const other = await h.organiser();
    const shopper = await h.shopper();
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${shopper.token}` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${rival.token}` } })).status).toBe(404);
    expect((await fetch(url, { headers: { authorization: `Bearer ${other.token}` } })).status).toBe(404);
    expect((await fetch(`${server.url}/handoff/not-a-deal.csv`, { headers: { authorization: `Bearer ${org.token}` } })).status).toBe(404);
    expect(await codeOf(rivalCaller.deals.handoff({ dealId: deal!.dealId }))).toBe('NOT_FOUND');
  });
});
