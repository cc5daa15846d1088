import { CartesianGrid, Line, LineChart, ReferenceDot, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { count, money } from '../format.ts';
import { useLocale } from '../i18n/index.tsx';
import type { PriceQuartiles } from '../../core/pricing.ts';

export interface CurvePoint {
  price: string;
  members: number;
  quantity: number;
}

export interface ChartTier {
  minQuantity: number;
  unitPrice: string;
  /** Shown beside the point; "T1", "T2"… by default. */
  label?: string;
}

/**
 * The demand curve: units wanted (members whose max price is at or above a price, plus those without a max)
 * against the price. Drawn with recharts for the eye, and always given as a table too (screen readers,
 * keyboard users, and exact figures), in a <details> under the chart.
 */
export function DemandChart({ curve, currency, tiers = [], caption }: { curve: CurvePoint[]; currency: string; tiers?: ChartTier[]; caption: string }) {
  const { t, locale } = useLocale();
  // Cheapest last on the table; the chart reads left to right as "more units at lower prices".
  const points = curve.map((p) => ({ price: Number(p.price), quantity: p.quantity, members: p.members, label: p.price }));
  const byQuantity = [...points].sort((a, b) => a.quantity - b.quantity);
  // The curve starts at 0 units at the highest price; both axes make room for the tiers drawn over it.
  if (byQuantity.length > 0) byQuantity.unshift({ ...byQuantity[0]!, quantity: 0, members: 0 });
  const prices = [...points.map((p) => p.price), ...tiers.map((tier) => Number(tier.unitPrice))];
  const xMax = Math.max(1, ...points.map((p) => p.quantity), ...tiers.map((tier) => tier.minQuantity));
  const yDomain: [number, number] = prices.length > 0 ? [Math.floor(Math.min(...prices) * 0.9), Math.ceil(Math.max(...prices) * 1.08)] : [0, 1];
  return (
    <figure className="chart" data-testid="demand-chart">
      <figcaption>{caption}</figcaption>
      {points.length === 0 ? (
        <p>{t('pool.noCurve')}</p>
      ) : (
        <div className="chart-area" aria-hidden="true">
          <ResponsiveContainer width="100%" height={280}>
            <LineChart data={byQuantity} margin={{ top: 20, right: 20, bottom: 20, left: 20 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="quantity" type="number" domain={[0, xMax]} allowDecimals={false} label={{ value: t('chart.units'), position: 'insideBottom', offset: -10 }} />
              <YAxis dataKey="price" type="number" domain={yDomain} label={{ value: t('chart.price', { currency }), angle: -90, position: 'insideLeft' }} />
              <Tooltip formatter={(value) => money(String(value), currency, locale)} labelFormatter={(label) => t('chart.unitsAt', { units: String(label) })} />
              <Line type="stepBefore" dataKey="price" stroke="#1f5fa8" strokeWidth={2} dot={false} isAnimationActive={false} />
              {tiers.map((tier, i) => (
                <ReferenceDot key={i} x={tier.minQuantity} y={Number(tier.unitPrice)} r={5} fill="#c0392b" stroke="none" label={{ value: tier.label ?? `T${i + 1}`, position: 'top' }} />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
      {points.length > 0 && (
        <details>
          <summary>{t('chart.asTable')}</summary>
          <table data-testid="demand-table">
            <caption>{caption}</caption>
            <thead>
              <tr>
                <th scope="col">{t('chart.priceCol')}</th>
                <th scope="col">{t('chart.membersCol')}</th>
                <th scope="col">{t('chart.unitsCol')}</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.label}>
                  <th scope="row">{money(p.label, currency, locale)}</th>
                  <td>{count(p.members, locale)}</td>
                  <td>{count(p.quantity, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </figure>
  );
}

/** Price sensitivity: quartiles of the members' max prices (per member and per unit). */
export function QuartilesTable({ quartiles, currency }: { quartiles: { members: PriceQuartiles | null; units: PriceQuartiles | null }; currency: string }) {
  const { t, locale } = useLocale();
  const rows = [
    ['members', quartiles.members],
    ['units', quartiles.units],
  ] as const;
  if (!quartiles.members && !quartiles.units) return <p>{t('pool.noMaxPrices')}</p>;
  return (
    <table data-testid="quartiles">
      <caption>{t('pool.sensitivity')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('stats.weight')}</th>
          <th scope="col">{t('stats.count')}</th>
          <th scope="col">{t('stats.min')}</th>
          <th scope="col">{t('stats.q1')}</th>
          <th scope="col">{t('stats.median')}</th>
          <th scope="col">{t('stats.q3')}</th>
          <th scope="col">{t('stats.max')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, q]) =>
          q ? (
            <tr key={name}>
              <th scope="row">{t(name === 'members' ? 'stats.perMember' : 'stats.perUnit')}</th>
              <td>{count(q.count, locale)}</td>
              <td>{money(q.min, currency, locale)}</td>
              <td>{money(q.q1, currency, locale)}</td>
              <td>{money(q.median, currency, locale)}</td>
              <td>{money(q.q3, currency, locale)}</td>
              <td>{money(q.max, currency, locale)}</td>
            </tr>
          ) : null,
        )}
      </tbody>
    </table>
  );
}
