import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth.tsx';
import { Loading, ProblemBox } from '../components/ProblemBox.tsx';
import { count, dateTime } from '../format.ts';
import { useLocale } from '../i18n/index.tsx';
import { useRemote } from '../remote.ts';
import { Link } from '../router.tsx';

interface Filters {
  search: string;
  brand: string;
  currency: string;
  region: string;
  minMembers: number;
}

const NO_FILTERS: Filters = { search: '', brand: '', currency: '', region: '', minMembers: 1 };

/** Pools ranked by demand (units wanted, then members), with filters. */
export function Pools() {
  const { client, onProblem } = useAuth();
  const { t, locale } = useLocale();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const pools = useRemote(
    `pools:${JSON.stringify(filters)}`,
    () =>
      client.pools.ranked.query({
        search: filters.search.trim() || undefined,
        brand: filters.brand.trim() || undefined,
        currency: filters.currency.trim().toUpperCase() || undefined,
        region: filters.region.trim().toUpperCase() || undefined,
        minMembers: filters.minMembers,
        limit: 100,
        offset: 0,
      }),
    onProblem,
  );

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters(draft);
    // Applying the same filters again still asks the server (fresh figures).
    pools.reload();
  }

  return (
    <section aria-labelledby="pools-heading">
      <h1 id="pools-heading">{t('pools.heading')}</h1>
      <form className="filters" onSubmit={apply} aria-label={t('pools.filters')}>
        <p>
          <label htmlFor="f-search">{t('pools.search')}</label>
          <input id="f-search" type="search" maxLength={200} value={draft.search} onChange={(e) => setDraft({ ...draft, search: e.target.value })} />
        </p>
        <p>
          <label htmlFor="f-brand">{t('pools.brand')}</label>
          <input id="f-brand" maxLength={200} value={draft.brand} onChange={(e) => setDraft({ ...draft, brand: e.target.value })} />
        </p>
        <p>
          <label htmlFor="f-currency">{t('pools.currency')}</label>
          <input id="f-currency" size={4} maxLength={3} pattern="[A-Za-z]{3}" value={draft.currency} onChange={(e) => setDraft({ ...draft, currency: e.target.value })} />
        </p>
        <p>
          <label htmlFor="f-region">{t('pools.region')}</label>
          <input id="f-region" size={4} maxLength={8} value={draft.region} onChange={(e) => setDraft({ ...draft, region: e.target.value })} />
        </p>
        <p>
          <label htmlFor="f-min">{t('pools.minMembers')}</label>
          <input id="f-min" type="number" min={0} max={1000000} value={draft.minMembers} onChange={(e) => setDraft({ ...draft, minMembers: Number(e.target.value) || 0 })} />
        </p>
        <p className="actions">
          <button type="submit">{t('pools.apply')}</button>
          <button type="button" onClick={() => { setDraft(NO_FILTERS); setFilters(NO_FILTERS); }}>
            {t('pools.reset')}
          </button>
        </p>
      </form>
      {pools.problem && <ProblemBox problem={pools.problem} onRetry={pools.reload} />}
      {pools.loading && !pools.data && <Loading />}
      {pools.data && pools.data.length === 0 && <p data-testid="no-pools">{t('pools.empty')}</p>}
      {pools.data && pools.data.length > 0 && (
        <table data-testid="pools">
          <caption>{t('pools.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('pools.rank')}</th>
              <th scope="col">{t('pools.product')}</th>
              <th scope="col">{t('pools.brand')}</th>
              <th scope="col">{t('pools.members')}</th>
              <th scope="col">{t('pools.units')}</th>
              <th scope="col">{t('pools.currency')}</th>
              <th scope="col">{t('pools.region')}</th>
              <th scope="col">{t('pools.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {pools.data.map((pool, i) => (
              <tr key={pool.id} data-pool-id={pool.id}>
                <td>{i + 1}</td>
                <th scope="row">
                  <Link to={`/pools/${pool.id}`}>{pool.product.name}</Link>
                </th>
                <td>{pool.product.brand ?? '—'}</td>
                <td>{count(pool.memberCount, locale)}</td>
                <td>{count(pool.totalQuantity, locale)}</td>
                <td>{pool.currency.trim()}</td>
                <td>{pool.region}</td>
                <td>{dateTime(pool.updatedAt, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
