import { useMemo, useState, type FormEvent } from 'react';
import { makeClient, problemOf, type Outputs, type Problem } from '../api.ts';
import { DemandChart, QuartilesTable } from '../components/DemandChart.tsx';
import { Loading, ProblemBox } from '../components/ProblemBox.tsx';
import { count, dateTime, isoFromLocalInput, localInputValue, money } from '../format.ts';
import { useLocale } from '../i18n/index.tsx';
import { useRemote } from '../remote.ts';

type View = Outputs['bids']['campaign'];

/** The invitation link carries the supplier token in its fragment (never sent to a server, so never logged). */
function tokenFromHash(): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  return params.get('token');
}

/**
 * What a supplier sees through its invitation: the campaign and aggregated demand (members, quantities, the
 * curve, the region; never an identity), and its tiered bid, submitted and revised here.
 */
export function SupplierPage() {
  const { t, locale } = useLocale();
  const [token] = useState(tokenFromHash);
  const client = useMemo(() => makeClient(token), [token]);
  const view = useRemote(`supplier:${token ?? ''}`, () => (token ? client.bids.campaign.query({ maxPoints: 100 }) : Promise.reject(new Error('no token'))));

  if (!token) return <ProblemBox problem={{ kind: 'unauthorized', message: null }} context="supplier" />;
  if (view.problem && !view.data) return <ProblemBox problem={view.problem} context="supplier" onRetry={view.problem.kind === 'unreachable' ? view.reload : undefined} />;
  if (!view.data) return <Loading />;
  const v = view.data;
  const currency = v.demand.currency;
  return (
    <article aria-labelledby="supplier-heading" data-testid="supplier">
      <h1 id="supplier-heading">{t('supplier.heading', { product: v.product.name })}</h1>
      <p>{t('supplier.intro')}</p>
      <dl className="facts">
        <dt>{t('pools.brand')}</dt>
        <dd>{v.product.brand ?? '—'}</dd>
        <dt>{t('pool.gtin')}</dt>
        <dd>{v.product.gtin ?? v.product.mpn ?? '—'}</dd>
        <dt>{t('campaign.state')}</dt>
        <dd data-field="state">{t(`state.${v.campaign.state}`)}</dd>
        <dt>{t('campaign.deadline')}</dt>
        <dd>{dateTime(v.campaign.deadline, locale)}</dd>
        {v.campaign.conditions && (
          <>
            <dt>{t('campaign.conditions')}</dt>
            <dd>{v.campaign.conditions}</dd>
          </>
        )}
      </dl>

      <section aria-labelledby="supplier-demand">
        <h2 id="supplier-demand">{t('supplier.demand')}</h2>
        <dl className="facts" data-testid="supplier-demand">
          <dt>{t('pools.members')}</dt>
          <dd data-field="members">{count(v.demand.members, locale)}</dd>
          <dt>{t('pools.units')}</dt>
          <dd data-field="units">{count(v.demand.quantity, locale)}</dd>
          <dt>{t('pools.region')}</dt>
          <dd data-field="region">{v.demand.region}</dd>
          <dt>{t('pools.currency')}</dt>
          <dd>{currency}</dd>
        </dl>
        <DemandChart curve={v.demand.curve} currency={currency} tiers={v.myBid?.tiers ?? []} caption={t('pool.curveCaption')} />
        <QuartilesTable quartiles={v.demand.quartiles} currency={currency} />
      </section>

      {v.deal && (
        <section aria-labelledby="supplier-deal" data-testid="supplier-deal">
          <h2 id="supplier-deal">{t('supplier.dealHeading')}</h2>
          <p>
            {t('supplier.dealText', {
              state: t(`dealState.${v.deal.state}`),
              tier: v.deal.tierReached + 1,
              price: money(v.deal.unitPrice, currency, locale),
              firm: count(v.deal.firmQuantity, locale),
              by: dateTime(v.deal.confirmBy, locale),
            })}
          </p>
        </section>
      )}

      <BidForm view={v} client={client} onSaved={view.reload} />
    </article>
  );
}

interface TierRow {
  key: number;
  minQuantity: string;
  unitPrice: string;
}

let nextKey = 1;

function BidForm({ view, client, onSaved }: { view: View; client: ReturnType<typeof makeClient>; onSaved: () => void }) {
  const { t, locale } = useLocale();
  const bid = view.myBid;
  const [tiers, setTiers] = useState<TierRow[]>(() =>
    bid ? bid.tiers.map((tier) => ({ key: nextKey++, minQuantity: String(tier.minQuantity), unitPrice: tier.unitPrice })) : [{ key: nextKey++, minQuantity: '', unitPrice: '' }],
  );
  const [validUntil, setValidUntil] = useState(() => localInputValue(bid ? new Date(bid.validUntil) : new Date(Date.now() + 30 * 86_400_000)));
  const [conditions, setConditions] = useState(bid?.conditions ?? '');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const currency = view.demand.currency;
  const open = view.campaign.state === 'open' && !view.campaign.acceptedMine;

  const update = (key: number, patch: Partial<TierRow>) => setTiers((list) => list.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setSaved(null);
    setBusy(true);
    try {
      // The server checks everything (order of tiers, prices, dates) and its sentence is shown as it is.
      const result = await client.bids.submit.mutate({
        tiers: tiers.map((row) => ({ minQuantity: Number(row.minQuantity), unitPrice: row.unitPrice.trim().replace(',', '.') })),
        validUntil: isoFromLocalInput(validUntil) ?? validUntil,
        conditions: conditions.trim() || undefined,
      });
      setSaved(result.revision);
      onSaved();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="bid-heading">
      <h2 id="bid-heading">{t(bid ? 'supplier.revise' : 'supplier.submitHeading')}</h2>
      {bid && <p data-testid="my-bid">{t('supplier.current', { revision: bid.revision, at: dateTime(bid.updatedAt, locale) })}</p>}
      {!open && <p role="status">{t(view.campaign.acceptedMine ? 'supplier.accepted' : 'supplier.closed')}</p>}
      <form onSubmit={submit} data-testid="bid-form" aria-describedby="bid-help">
        <p id="bid-help">{t('supplier.tiersHelp')}</p>
        <fieldset disabled={!open}>
          <legend>{t('supplier.tiers')}</legend>
          <table>
            <caption className="visually-hidden">{t('supplier.tiers')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('bids.tier')}</th>
                <th scope="col">{t('bids.minQuantity')}</th>
                <th scope="col">{t('bids.unitPrice')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('supplier.remove')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tiers.map((row, i) => (
                <tr key={row.key} data-testid="tier-row">
                  <th scope="row">T{i + 1}</th>
                  <td>
                    <label className="visually-hidden" htmlFor={`tier-q-${row.key}`}>
                      {t('supplier.tierQuantity', { tier: i + 1 })}
                    </label>
                    <input id={`tier-q-${row.key}`} name="minQuantity" type="number" min={1} step={1} required value={row.minQuantity} onChange={(e) => update(row.key, { minQuantity: e.target.value })} />
                  </td>
                  <td>
                    <label className="visually-hidden" htmlFor={`tier-p-${row.key}`}>
                      {t('supplier.tierPrice', { tier: i + 1, currency })}
                    </label>
                    <input id={`tier-p-${row.key}`} name="unitPrice" inputMode="decimal" required value={row.unitPrice} onChange={(e) => update(row.key, { unitPrice: e.target.value })} />
                  </td>
                  <td>
                    <button type="button" disabled={tiers.length === 1} onClick={() => setTiers((list) => list.filter((r) => r.key !== row.key))}>
                      {t('supplier.removeTier', { tier: i + 1 })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <button type="button" disabled={tiers.length >= 10} onClick={() => setTiers((list) => [...list, { key: nextKey++, minQuantity: '', unitPrice: '' }])}>
              {t('supplier.addTier')}
            </button>
          </p>
          <p>
            <label htmlFor="valid-until">{t('supplier.validUntil')}</label>
            <input id="valid-until" type="datetime-local" required value={validUntil} onChange={(e) => setValidUntil(e.target.value)} />
          </p>
          <p>
            <label htmlFor="bid-conditions">{t('campaign.conditions')}</label>
            <textarea id="bid-conditions" maxLength={2000} rows={3} value={conditions} onChange={(e) => setConditions(e.target.value)} />
          </p>
          {problem && <ProblemBox problem={problem} context="supplier" />}
          {saved !== null && (
            <p role="status" data-testid="bid-saved">
              {t('supplier.saved', { revision: saved })}
            </p>
          )}
          <p>
            <button type="submit" disabled={busy}>
              {t(bid ? 'supplier.reviseSubmit' : 'supplier.submit')}
            </button>
          </p>
        </fieldset>
      </form>
    </section>
  );
}
