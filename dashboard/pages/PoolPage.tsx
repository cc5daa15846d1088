import { useState, type FormEvent } from 'react';
import { problemOf, type Problem } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { DemandChart, QuartilesTable } from '../components/DemandChart.tsx';
import { MarketPrices } from '../components/MarketPrices.tsx';
import { Loading, ProblemBox } from '../components/ProblemBox.tsx';
import { count, isoFromLocalInput, localInputValue, percent } from '../format.ts';
import { useLocale } from '../i18n/index.tsx';
import { useRemote } from '../remote.ts';
import { Link, navigate } from '../router.tsx';

/** A pool: its demand curve, price sensitivity, the market, the expected dropout; and a campaign for it. */
export function PoolPage({ poolId }: { poolId: string }) {
  const { client, onProblem } = useAuth();
  const { t, locale } = useLocale();
  const pool = useRemote(`pool:${poolId}`, () => client.pools.get.query({ poolId, maxPoints: 200 }), onProblem);
  const plan = useRemote(`plan:${poolId}`, () => client.campaigns.plan.query({ poolId }), onProblem);
  const campaigns = useRemote('campaigns', () => client.campaigns.list.query({ limit: 200 }), onProblem);

  if (pool.problem) return <ProblemBox problem={pool.problem} onRetry={pool.reload} />;
  if (!pool.data) return <Loading />;
  const p = pool.data;
  const currency = p.currency.trim();
  const existing = campaigns.data?.find((c) => c.poolId === p.id && c.state !== 'closed' && c.state !== 'failed');

  return (
    <article aria-labelledby="pool-heading">
      <p>
        <Link to="/pools">← {t('nav.pools')}</Link>
      </p>
      <h1 id="pool-heading">{p.product.name}</h1>
      <dl className="facts" data-testid="pool-facts">
        <dt>{t('pools.brand')}</dt>
        <dd>{p.product.brand ?? '—'}</dd>
        <dt>{t('pool.gtin')}</dt>
        <dd>{p.product.gtin ?? '—'}</dd>
        <dt>{t('pools.members')}</dt>
        <dd data-field="members">{count(p.memberCount, locale)}</dd>
        <dt>{t('pools.units')}</dt>
        <dd data-field="units">{count(p.totalQuantity, locale)}</dd>
        <dt>{t('pools.region')}</dt>
        <dd>
          {p.region} · {currency}
        </dd>
        <dt>{t('pool.openMembers')}</dt>
        <dd>{count(p.open.members, locale)}</dd>
      </dl>

      <section aria-labelledby="demand-heading">
        <h2 id="demand-heading">{t('pool.demand')}</h2>
        <DemandChart curve={p.curve} currency={currency} caption={t('pool.curveCaption')} />
        <QuartilesTable quartiles={p.quartiles} currency={currency} />
      </section>

      <MarketPrices client={client} competitors={p.competitors} currency={currency} />

      <section aria-labelledby="dropout-heading">
        <h2 id="dropout-heading">{t('pool.dropout')}</h2>
        {plan.problem && <ProblemBox problem={plan.problem} onRetry={plan.reload} />}
        {plan.data && (
          <p data-testid="dropout">
            {t('pool.dropoutText', {
              rate: percent(plan.data.dropout.rate, locale),
              category: plan.data.dropout.category,
              deals: plan.data.dropout.pastDeals,
              firm: count(plan.data.expectedFirmQuantity, locale),
              demand: count(plan.data.demandQuantity, locale),
            })}{' '}
            {plan.data.dropout.observedMembers === 0 && t('pool.dropoutPrior')}
          </p>
        )}
      </section>

      <section aria-labelledby="campaign-heading">
        <h2 id="campaign-heading">{t('campaign.forPool')}</h2>
        {existing ? (
          <p>
            {t('campaign.existing')} <Link to={`/campaigns/${existing.id}`}>{t('campaign.follow')}</Link>
          </p>
        ) : (
          <CreateCampaign poolId={p.id} currency={currency} suggestedPrice={p.quartiles.members?.median ?? p.competitors[0]?.price ?? ''} />
        )}
      </section>
    </article>
  );
}

function CreateCampaign({ poolId, currency, suggestedPrice }: { poolId: string; currency: string; suggestedPrice: string }) {
  const { client, onProblem } = useAuth();
  const { t } = useLocale();
  const [targetPrice, setTargetPrice] = useState(suggestedPrice);
  const [deadline, setDeadline] = useState(() => localInputValue(new Date(Date.now() + 14 * 86_400_000)));
  const [conditions, setConditions] = useState('');
  const [margin, setMargin] = useState('5%');
  const [category, setCategory] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const deadlineIso = isoFromLocalInput(deadline);
    if (!deadlineIso) {
      setProblem({ kind: 'refused', message: t('campaign.badDeadline') });
      return;
    }
    setBusy(true);
    try {
      const campaign = await client.campaigns.create.mutate({
        poolId,
        targetPrice: targetPrice.trim().replace(',', '.'),
        deadline: deadlineIso,
        conditions: conditions.trim() || undefined,
        organiserMargin: margin.trim().replace(',', '.'),
        category: category.trim() || undefined,
      });
      navigate(`/campaigns/${campaign.id}`);
    } catch (error) {
      const p = problemOf(error);
      onProblem(p);
      setProblem(p);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} data-testid="create-campaign" aria-label={t('campaign.create')}>
      <p>
        <label htmlFor="c-target">{t('campaign.targetPrice', { currency })}</label>
        <input id="c-target" inputMode="decimal" required value={targetPrice} onChange={(e) => setTargetPrice(e.target.value)} />
      </p>
      <p>
        <label htmlFor="c-deadline">{t('campaign.deadline')}</label>
        <input id="c-deadline" type="datetime-local" required value={deadline} onChange={(e) => setDeadline(e.target.value)} />
      </p>
      <p>
        <label htmlFor="c-margin">{t('campaign.margin')}</label>
        <input id="c-margin" required value={margin} onChange={(e) => setMargin(e.target.value)} aria-describedby="c-margin-hint" />
        <small id="c-margin-hint">{t('campaign.marginHint')}</small>
      </p>
      <p>
        <label htmlFor="c-category">{t('campaign.category')}</label>
        <input id="c-category" maxLength={80} value={category} onChange={(e) => setCategory(e.target.value)} />
      </p>
      <p>
        <label htmlFor="c-conditions">{t('campaign.conditions')}</label>
        <textarea id="c-conditions" maxLength={2000} rows={3} value={conditions} onChange={(e) => setConditions(e.target.value)} />
      </p>
      {problem && <ProblemBox problem={problem} />}
      <p>
        <button type="submit" disabled={busy}>
          {t('campaign.create')}
        </button>
      </p>
    </form>
  );
}
