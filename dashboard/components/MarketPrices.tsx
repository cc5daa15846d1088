import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Client, Outputs } from '../api.ts';
import { dateTime, money } from '../format.ts';
import { useLocale, type DashboardKey, type Translate } from '../i18n/index.tsx';
import { AVAILABILITIES, type Availability } from '../../core/availability.ts';
import { useRemote } from '../remote.ts';
import { Loading, ProblemBox } from './ProblemBox.tsx';

type Competitor = Outputs['pools']['get']['competitors'][number];

const COLOURS = ['#1f5fa8', '#c0392b', '#27ae60', '#8e44ad', '#d35400', '#16a085', '#2c3e50', '#b7950b'];
/** Enough retailers for a readable chart; the table lists them all. */
const MAX_SERIES = 8;

// Every availability has its words in the dictionaries (a compile error otherwise).
const _everyAvailabilityWorded: `availability.${Availability}` extends DashboardKey ? true : never = true;

/** schema.org availability in words; an unknown value as it came. */
function availabilityLabel(value: string | null, t: Translate): string {
  if (!value) return '—';
  return (AVAILABILITIES as readonly string[]).includes(value) ? t(`availability.${value}` as DashboardKey) : value;
}

/** Market prices across retailers: the latest at each (cheapest first) and each one's history. */
export function MarketPrices({ client, competitors, currency }: { client: Client; competitors: Competitor[]; currency: string }) {
  const { t, locale } = useLocale();
  const shown = competitors.slice(0, MAX_SERIES);
  const history = useRemote(`history:${shown.map((c) => c.listingId).join(',')}`, () =>
    Promise.all(shown.map((c) => client.products.priceHistory.query({ listingId: c.listingId, limit: 200 }))),
  );
  const cheapest = competitors.find((c) => c.price !== null && c.currency?.trim() === currency);
  return (
    <section aria-labelledby="market-heading">
      <h2 id="market-heading">{t('market.heading')}</h2>
      {competitors.length === 0 ? (
        <p>{t('market.none')}</p>
      ) : (
        <table data-testid="market-prices">
          <caption>{t('market.latest')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('market.retailer')}</th>
              <th scope="col">{t('market.price')}</th>
              <th scope="col">{t('market.availability')}</th>
              <th scope="col">{t('market.seen')}</th>
            </tr>
          </thead>
          <tbody>
            {competitors.map((c) => (
              <tr key={c.listingId} className={c === cheapest ? 'cheapest' : undefined}>
                <th scope="row">
                  {c.retailer}
                  {c === cheapest && <span className="tag"> {t('market.cheapest')}</span>}
                </th>
                <td>{money(c.price, c.currency, locale)}</td>
                <td>{availabilityLabel(c.availability, t)}</td>
                <td>{dateTime(c.seenAt, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown.length > 0 && (
        <figure className="chart" data-testid="price-history">
          <figcaption>{t('market.history')}</figcaption>
          {history.problem && <ProblemBox problem={history.problem} onRetry={history.reload} />}
          {history.loading && !history.data && <Loading />}
          {history.data && (
            <>
              <div className="chart-area" aria-hidden="true">
                <ResponsiveContainer width="100%" height={240}>
                  <LineChart margin={{ top: 10, right: 20, bottom: 10, left: 10 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis
                      dataKey="time"
                      type="number"
                      scale="time"
                      domain={['dataMin', 'dataMax']}
                      tickFormatter={(v: number) => new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' }).format(v)}
                    />
                    <YAxis dataKey="price" type="number" domain={['auto', 'auto']} />
                    <Tooltip labelFormatter={(v) => dateTime(new Date(Number(v)).toISOString(), locale)} />
                    <Legend />
                    {shown.map((c, i) => (
                      <Line
                        key={c.listingId}
                        name={c.retailer}
                        data={(history.data?.[i] ?? [])
                          .filter((o) => o.price !== null)
                          .map((o) => ({ time: new Date(o.seenAt).getTime(), price: Number(o.price) }))
                          .reverse()}
                        dataKey="price"
                        stroke={COLOURS[i % COLOURS.length]}
                        dot
                        isAnimationActive={false}
                      />
                    ))}
                  </LineChart>
                </ResponsiveContainer>
              </div>
              <details>
                <summary>{t('chart.asTable')}</summary>
                <table>
                  <caption>{t('market.history')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('market.retailer')}</th>
                      <th scope="col">{t('market.seen')}</th>
                      <th scope="col">{t('market.price')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.flatMap((c, i) =>
                      (history.data?.[i] ?? []).map((o, j) => (
                        <tr key={`${c.listingId}-${j}`}>
                          <th scope="row">{c.retailer}</th>
                          <td>{dateTime(o.seenAt, locale)}</td>
                          <td>{money(o.price, o.currency, locale)}</td>
                        </tr>
                      )),
                    )}
                  </tbody>
                </table>
              </details>
            </>
          )}
        </figure>
      )}
    </section>
  );
}
