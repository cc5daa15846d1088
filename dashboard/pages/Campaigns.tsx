import { useAuth } from '../auth.tsx';
import { Loading, ProblemBox } from '../components/ProblemBox.tsx';
import { count, dateTime, money } from '../format.ts';
import { useLocale } from '../i18n/index.tsx';
import { useRemote } from '../remote.ts';
import { Link } from '../router.tsx';

/** The organiser's campaigns, newest first. */
export function Campaigns() {
  const { client, onProblem } = useAuth();
  const { t, locale } = useLocale();
  const campaigns = useRemote('campaigns', () => client.campaigns.list.query({ limit: 200 }), onProblem);
  return (
    <section aria-labelledby="campaigns-heading">
      <h1 id="campaigns-heading">{t('campaigns.heading')}</h1>
      {campaigns.problem && <ProblemBox problem={campaigns.problem} onRetry={campaigns.reload} />}
      {campaigns.loading && !campaigns.data && <Loading />}
      {campaigns.data?.length === 0 && <p>{t('campaigns.empty')}</p>}
      {campaigns.data && campaigns.data.length > 0 && (
        <table data-testid="campaigns">
          <caption>{t('campaigns.heading')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('pools.product')}</th>
              <th scope="col">{t('campaign.state')}</th>
              <th scope="col">{t('campaign.target')}</th>
              <th scope="col">{t('campaign.deadline')}</th>
              <th scope="col">{t('pools.members')}</th>
              <th scope="col">{t('pools.units')}</th>
            </tr>
          </thead>
          <tbody>
            {campaigns.data.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <Link to={`/campaigns/${c.id}`}>{c.product.name}</Link>
                </th>
                <td>{t(`state.${c.state}`)}</td>
                <td>{money(c.targetPrice, null, locale)}</td>
                <td>{dateTime(c.deadline, locale)}</td>
                <td>{count(c.pool.memberCount, locale)}</td>
                <td>{count(c.pool.totalQuantity, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
