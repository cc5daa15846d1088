import { useEffect, useState, type FormEvent } from 'react';
import { fetchHandoff, problemOf, type Outputs, type Problem } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { DemandChart } from '../components/DemandChart.tsx';
import { Loading, ProblemBox } from '../components/ProblemBox.tsx';
import { count, dateTime, money, percent, timeLeft } from '../format.ts';
import { useLocale, type DashboardKey } from '../i18n/index.tsx';
import { useRemote } from '../remote.ts';
import { Link } from '../router.tsx';

type Detail = Outputs['campaigns']['get'];
type Handoff = Outputs['deals']['handoff'];

interface LiveEvent {
  id: string;
  type: string;
  at: string;
}

const EVENT_WORDS: Record<string, DashboardKey> = {
  'campaign.created': 'event.campaign.created',
  'campaign.opened': 'event.campaign.opened',
  'campaign.failed': 'event.campaign.failed',
  'campaign.supplier-invited': 'event.campaign.supplier-invited',
  'campaign.bid-accepted': 'event.campaign.bid-accepted',
  'bid.submitted': 'event.bid.submitted',
  'bid.revised': 'event.bid.revised',
  'deal.formed': 'event.deal.formed',
  'deal.commitment': 'event.deal.commitment',
  'deal.tier-dropped': 'event.deal.tier-dropped',
  'deal.window-closing': 'event.deal.window-closing',
  'deal.closed': 'event.deal.closed',
};

/**
 * One campaign, live: its state and actions, supplier invitations, bids compared tier by tier, and once a
 * deal forms its members, confirmations, declines, tier and time left. Every event of the campaign's
 * subscription reloads the detail, so what is shown is always the server's own figures.
 */
export function CampaignPage({ campaignId }: { campaignId: string }) {
  const { client, onProblem } = useAuth();
  const { t, locale } = useLocale();
  const detail = useRemote(`campaign:${campaignId}`, () => client.campaigns.get.query({ campaignId }), onProblem);
  const poolId = detail.data?.pool.id;
  const demand = useRemote(`demand:${poolId ?? ''}`, () => (poolId ? client.pools.demand.query({ poolId, maxPoints: 200 }) : Promise.resolve(null)), onProblem);
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [live, setLive] = useState<'connecting' | 'live' | 'lost'>('connecting');
  const { reload } = detail;
  const reloadDemand = demand.reload;

  useEffect(() => {
    const subscription = client.events.campaign.subscribe(
      { campaignId, lastEventId: null },
      {
        onStarted: () => setLive('live'),
        onData: (envelope) => {
          setLive('live');
          setEvents((list) => [{ id: envelope.id, type: envelope.data.type, at: envelope.data.createdAt }, ...list].slice(0, 50));
          reload();
          reloadDemand();
        },
        onError: (error) => {
          setLive('lost');
          onProblem(problemOf(error));
        },
        onConnectionStateChange: (state) => {
          if (state.state === 'connecting' && state.error) setLive('lost');
          if (state.state === 'pending') setLive('live');
        },
      },
    );
    return () => subscription.unsubscribe();
  }, [client, campaignId, reload, reloadDemand, onProblem]);

  if (detail.problem && !detail.data) return <ProblemBox problem={detail.problem} onRetry={detail.reload} />;
  if (!detail.data) return <Loading />;
  const d = detail.data;
  const c = d.campaign;
  const currency = d.pool.currency;

  return (
    <article aria-labelledby="campaign-title" data-testid="campaign" data-state={c.state}>
      <p>
        <Link to={`/pools/${d.pool.id}`}>← {d.product.name}</Link>
      </p>
      <h1 id="campaign-title">{t('campaign.heading', { product: d.product.name })}</h1>
      <p className="live" role="status" data-testid="live" data-live={live}>
        {t(live === 'live' ? 'live.on' : live === 'lost' ? 'live.lost' : 'live.connecting')}
      </p>
      <dl className="facts">
        <dt>{t('campaign.state')}</dt>
        <dd data-field="state">{t(`state.${c.state}`)}</dd>
        <dt>{t('campaign.target')}</dt>
        <dd>{money(c.targetPrice, currency, locale)}</dd>
        <dt>{t('campaign.lowestMarket')}</dt>
        <dd>{money(d.lowestMarketPrice, currency, locale)}</dd>
        <dt>{t('campaign.deadline')}</dt>
        <dd>{dateTime(c.deadline, locale)}</dd>
        <dt>{t('campaign.margin')}</dt>
        <dd>{c.organiserMargin}</dd>
        <dt>{t('pools.members')}</dt>
        <dd data-field="members">{count(d.pool.memberCount, locale)}</dd>
        <dt>{t('pools.units')}</dt>
        <dd data-field="units">{count(d.pool.totalQuantity, locale)}</dd>
        <dt>{t('pool.dropout')}</dt>
        <dd>{percent(d.dropout.rate, locale)}</dd>
        {c.conditions && (
          <>
            <dt>{t('campaign.conditions')}</dt>
            <dd>{c.conditions}</dd>
          </>
        )}
      </dl>
      {detail.problem && <ProblemBox problem={detail.problem} onRetry={detail.reload} />}

      <CampaignActions detail={d} onChange={detail.reload} />
      {(c.state === 'draft' || c.state === 'open') && <InviteSupplier campaignId={c.id} />}

      {demand.data && (
        <section aria-labelledby="curve-heading">
          <h2 id="curve-heading">{t('pool.demand')}</h2>
          <DemandChart curve={demand.data.curve} currency={currency} tiers={d.bids.flatMap((b, j) => b.tiers.map((tier, i) => ({ ...tier, label: d.bids.length > 1 ? `${String.fromCharCode(65 + (j % 26))}${i + 1}` : `T${i + 1}` })))} caption={t('campaign.curveWithTiers')} />
        </section>
      )}

      <Bids detail={d} onChange={detail.reload} />
      {d.deal && <LiveDeal deal={d.deal} members={d.pool.memberCount} currency={currency} onChange={detail.reload} />}

      <section aria-labelledby="events-heading">
        <h2 id="events-heading">{t('live.events')}</h2>
        {events.length === 0 ? (
          <p>{t('live.noEvents')}</p>
        ) : (
          <ol className="events" aria-live="polite" data-testid="events">
            {events.map((e) => (
              <li key={e.id} data-type={e.type}>
                <time dateTime={e.at}>{dateTime(e.at, locale)}</time> — {EVENT_WORDS[e.type] ? t(EVENT_WORDS[e.type]!) : e.type}
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}

function useAction(onDone: () => void) {
  const { onProblem } = useAuth();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setProblem(null);
    try {
      const result = await action();
      onDone();
      return result;
    } catch (error) {
      const p = problemOf(error);
      onProblem(p);
      setProblem(p);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { problem, busy, run };
}

function CampaignActions({ detail, onChange }: { detail: Detail; onChange: () => void }) {
  const { client } = useAuth();
  const { t } = useLocale();
  const { problem, busy, run } = useAction(onChange);
  const c = detail.campaign;
  if (c.state !== 'draft' && c.state !== 'open') return null;
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">{t('campaign.actions')}</h2>
      <p className="actions">
        {c.state === 'draft' && (
          <button type="button" disabled={busy} onClick={() => run(() => client.campaigns.open.mutate({ campaignId: c.id }))}>
            {t('campaign.open')}
          </button>
        )}
        <button type="button" className="danger" disabled={busy} onClick={() => window.confirm(t('campaign.cancelConfirm')) && run(() => client.campaigns.cancel.mutate({ campaignId: c.id }))}>
          {t('campaign.cancel')}
        </button>
      </p>
      {c.state === 'draft' && <p>{t('campaign.draftHint')}</p>}
      {problem && <ProblemBox problem={problem} />}
    </section>
  );
}

function InviteSupplier({ campaignId }: { campaignId: string }) {
  const { client } = useAuth();
  const { t } = useLocale();
  const [name, setName] = useState('');
  const [links, setLinks] = useState<Array<{ name: string; url: string }>>([]);
  const { problem, busy, run } = useAction(() => {});

  async function submit(event: FormEvent) {
    event.preventDefault();
    const invitation = await run(() => client.campaigns.inviteSupplier.mutate({ campaignId, supplierName: name.trim() }));
    if (invitation) {
      // The server gives the path; the supplier needs the whole address of this server.
      setLinks((list) => [...list, { name: name.trim(), url: new URL(invitation.link, location.origin).href }]);
      setName('');
    }
  }

  return (
    <section aria-labelledby="invite-heading">
      <h2 id="invite-heading">{t('invite.heading')}</h2>
      <form onSubmit={submit} className="inline">
        <label htmlFor="supplier-name">{t('invite.name')}</label>
        <input id="supplier-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" disabled={busy}>
          {t('invite.submit')}
        </button>
      </form>
      {problem && <ProblemBox problem={problem} />}
      {links.length > 0 && (
        <ul className="links" data-testid="invitations">
          {links.map((l, i) => (
            <li key={i}>
              <label htmlFor={`invite-link-${i}`}>{t('invite.linkFor', { name: l.name })}</label>
              <input id={`invite-link-${i}`} readOnly value={l.url} data-testid="invitation-link" onFocus={(e) => e.target.select()} />
              <button type="button" onClick={() => void navigator.clipboard?.writeText(l.url)}>
                {t('invite.copy')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {links.length > 0 && <p className="hint">{t('invite.once')}</p>}
    </section>
  );
}

function Bids({ detail, onChange }: { detail: Detail; onChange: () => void }) {
  const { client } = useAuth();
  const { t, locale } = useLocale();
  const { problem, busy, run } = useAction(onChange);
  const [windowHours, setWindowHours] = useState('48');
  const c = detail.campaign;
  const currency = detail.pool.currency;
  const canAccept = c.state === 'open' && !c.acceptedBidId;
  return (
    <section aria-labelledby="bids-heading">
      <h2 id="bids-heading">{t('bids.heading')}</h2>
      {detail.bids.length === 0 && <p data-testid="no-bids">{t('bids.none')}</p>}
      {canAccept && detail.bids.length > 0 && (
        <p>
          <label htmlFor="window-hours">{t('bids.window')}</label>
          <input id="window-hours" type="number" min={0.01} max={720} step="any" value={windowHours} onChange={(e) => setWindowHours(e.target.value)} />
        </p>
      )}
      {detail.bids.map((bid) => (
        <div key={bid.id} className={`bid${c.acceptedBidId === bid.id ? ' accepted' : ''}`} data-testid="bid" data-bid-id={bid.id}>
          <h3>
            {bid.supplierName}
            {c.acceptedBidId === bid.id && <span className="tag"> {t('bids.accepted')}</span>}
          </h3>
          <p>
            {t('bids.meta', { revision: bid.revision, valid: dateTime(bid.validUntil, locale) })}
            {bid.conditions && (
              <>
                {' '}
                · {t('campaign.conditions')}: {bid.conditions}
              </>
            )}
          </p>
          <table>
            <caption>{t('bids.caption', { supplier: bid.supplierName })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('bids.tier')}</th>
                <th scope="col">{t('bids.minQuantity')}</th>
                <th scope="col">{t('bids.unitPrice')}</th>
                <th scope="col">{t('bids.reachedToday')}</th>
                <th scope="col">{t('bids.expected')}</th>
                <th scope="col">{t('bids.willing')}</th>
                <th scope="col">{t('bids.vsMarket')}</th>
                <th scope="col">{t('bids.vsTarget')}</th>
              </tr>
            </thead>
            <tbody>
              {bid.comparison.map((tier, i) => {
                const planned = bid.plan.tiers[i];
                return (
                  <tr key={i} className={bid.tierReachedToday === i ? 'reached' : undefined}>
                    <th scope="row">T{i + 1}</th>
                    <td>{count(tier.minQuantity, locale)}</td>
                    <td>{money(tier.unitPrice, currency, locale)}</td>
                    <td>{t(tier.reachedToday ? 'common.yes' : 'common.no')}</td>
                    <td>{planned ? t(planned.expectedReached ? 'bids.expectedYes' : 'bids.expectedNo', { margin: count(Math.abs(planned.margin), locale) }) : '—'}</td>
                    <td>{t('bids.willingText', { members: count(tier.membersWilling, locale), units: count(tier.unitsWilling, locale) })}</td>
                    <td>{tier.belowMarketBy === null ? '—' : money(tier.belowMarketBy, currency, locale)}</td>
                    <td>{tier.meetsTarget === null ? '—' : t(tier.meetsTarget ? 'common.yes' : 'common.no')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p>
            {bid.tierReachedToday === null
              ? t('bids.reachesNone')
              : t('bids.reaches', { tier: bid.tierReachedToday + 1, price: money(bid.tiers[bid.tierReachedToday]!.unitPrice, currency, locale) })}{' '}
            {t('bids.expectedFirm', { firm: count(bid.plan.expectedFirmQuantity, locale), rate: percent(bid.plan.dropoutRate, locale) })}
          </p>
          {canAccept && (
            <button
              type="button"
              disabled={busy}
              onClick={() => run(() => client.campaigns.acceptBid.mutate({ campaignId: c.id, bidId: bid.id, confirmWindowHours: Number(windowHours) || 48 }))}
            >
              {t('bids.accept', { supplier: bid.supplierName })}
            </button>
          )}
        </div>
      ))}
      {problem && <ProblemBox problem={problem} />}
      {c.acceptedBidId && !detail.deal && <p data-testid="waiting-deal">{t('bids.waitingDeal')}</p>}
    </section>
  );
}

function LiveDeal({ deal, members, currency, onChange }: { deal: NonNullable<Detail['deal']>; members: number; currency: string; onChange: () => void }) {
  const { client, session } = useAuth();
  const { t, locale } = useLocale();
  const { problem, busy, run } = useAction(onChange);
  const [now, setNow] = useState(() => Date.now());
  const [handoff, setHandoff] = useState<Handoff | null>(null);
  const [downloadProblem, setDownloadProblem] = useState<Problem | null>(null);
  const closed = deal.state === 'closed';

  useEffect(() => {
    if (deal.state !== 'confirming') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [deal.state]);

  useEffect(() => {
    if (!closed) return;
    let current = true;
    client.deals.handoff.query({ dealId: deal.dealId }).then(
      (h) => current && setHandoff(h),
      (error: unknown) => current && setDownloadProblem(problemOf(error)),
    );
    return () => {
      current = false;
    };
  }, [client, closed, deal.dealId]);

  async function download(format: 'csv' | 'json') {
    setDownloadProblem(null);
    try {
      const blob = await fetchHandoff(session.token, deal.dealId, format);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `order-list-${deal.dealId}.${format}`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setDownloadProblem(problemOf(error));
    }
  }

  const left = timeLeft(deal.confirmBy, now);
  const undecided = Math.max(0, members - deal.confirmedMembers - deal.declinedMembers);
  return (
    <section aria-labelledby="deal-heading" data-testid="deal" data-deal-id={deal.dealId} data-state={deal.state}>
      <h2 id="deal-heading">{t('deal.heading')}</h2>
      <dl className="facts">
        <dt>{t('campaign.state')}</dt>
        <dd data-field="deal-state">{t(`dealState.${deal.state}`)}</dd>
        <dt>{t('deal.price')}</dt>
        <dd data-field="deal-price">{money(deal.unitPrice, currency, locale)}</dd>
        <dt>{t('deal.tier')}</dt>
        <dd data-field="tier">{t('deal.tierOf', { tier: deal.tierReached + 1, tiers: deal.tiers.length })}</dd>
        <dt>{t('pools.members')}</dt>
        <dd data-field="deal-members">{count(members, locale)}</dd>
        <dt>{t('deal.confirmed')}</dt>
        <dd data-field="confirmed">{count(deal.confirmedMembers, locale)}</dd>
        <dt>{t('deal.declined')}</dt>
        <dd data-field="declined">{count(deal.declinedMembers, locale)}</dd>
        <dt>{t('deal.undecided')}</dt>
        <dd>{count(undecided, locale)}</dd>
        <dt>{t('deal.firm')}</dt>
        <dd data-field="firm">{count(deal.firmQuantity, locale)}</dd>
        <dt>{t('deal.expectedFirm')}</dt>
        <dd>{t('deal.expectedFirmText', { firm: count(deal.plan.expectedFirmQuantity, locale), rate: percent(deal.plan.dropoutRate, locale) })}</dd>
        <dt>{t('deal.timeLeft')}</dt>
        <dd data-field="time-left">
          {deal.state !== 'confirming'
            ? t('deal.windowOver', { at: dateTime(deal.closedAt ?? deal.confirmBy, locale) })
            : left
              ? t('deal.left', { h: left.hours, m: String(left.minutes).padStart(2, '0'), s: String(left.seconds).padStart(2, '0') })
              : t('deal.closingNow')}
        </dd>
      </dl>
      <table>
        <caption>{t('deal.tiersCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('bids.tier')}</th>
            <th scope="col">{t('bids.minQuantity')}</th>
            <th scope="col">{t('bids.unitPrice')}</th>
            <th scope="col">{t('deal.status')}</th>
          </tr>
        </thead>
        <tbody>
          {deal.tiers.map((tier, i) => (
            <tr key={i} className={i === deal.tierReached ? 'reached' : undefined}>
              <th scope="row">T{i + 1}</th>
              <td>{count(tier.minQuantity, locale)}</td>
              <td>{money(tier.unitPrice, currency, locale)}</td>
              <td>{i === deal.tierReached ? t('deal.current') : i < deal.tierReached ? t('deal.passed') : t('deal.short', { units: count(Math.max(0, tier.minQuantity - deal.firmQuantity), locale) })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {deal.state === 'confirming' && (
        <p>
          <button type="button" disabled={busy} onClick={() => window.confirm(t('deal.closeConfirm')) && run(() => client.deals.close.mutate({ dealId: deal.dealId }))}>
            {t('deal.close')}
          </button>
        </p>
      )}
      {problem && <ProblemBox problem={problem} />}
      {closed && (
        <div data-testid="handoff">
          <h3>{t('handoff.heading')}</h3>
          <p className="actions">
            <button type="button" onClick={() => void download('csv')}>
              {t('handoff.csv')}
            </button>
            <button type="button" onClick={() => void download('json')}>
              {t('handoff.json')}
            </button>
          </p>
          {downloadProblem && <ProblemBox problem={downloadProblem} />}
          {handoff && (
            <table data-testid="handoff-lines">
              <caption>{t('handoff.caption', { lines: handoff.lines.length, units: count(handoff.firmQuantity, locale), price: money(handoff.unitPrice, handoff.currency, locale) })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('handoff.line')}</th>
                  <th scope="col">{t('handoff.quantity')}</th>
                  <th scope="col">{t('handoff.name')}</th>
                  <th scope="col">{t('handoff.email')}</th>
                  <th scope="col">{t('handoff.address')}</th>
                </tr>
              </thead>
              <tbody>
                {handoff.lines.map((line) => (
                  <tr key={line.line}>
                    <th scope="row">{line.line}</th>
                    <td>{count(line.quantity, locale)}</td>
                    <td>{line.name ?? '—'}</td>
                    <td>{line.email ?? '—'}</td>
                    <td>{line.address ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
