import { useLiveQuery } from 'dexie-react-hooks';
import { formatPrice } from '../core/i18n/format.ts';
import type { ProductSnapshot } from '../core/snapshot.ts';
import { priceDifference, type RetailerPrice } from './compare.ts';
import { pageDb } from './db.ts';
import { formatDate } from './format.ts';
import { useI18n } from './I18n.tsx';
import { readRetailerPrices } from './local-queries.ts';

/**
 * The same product at other shops: the server's latest price per retailer and the shopper's own history.
 * `initial`: the rows already read for this snapshot.
 */
export function ComparePanel({ snapshot, initial }: { snapshot: ProductSnapshot; initial?: RetailerPrice[] | undefined }) {
  const { t, languageTag } = useI18n();
  const rows = useLiveQuery(() => readRetailerPrices(pageDb(), snapshot), [snapshot], initial);
  if (!rows) return null;
  const others = rows.filter((row) => row.source !== 'page');
  const cheapest = rows.find((row) => row.currency === snapshot.currency);
  return (
    <section className="compare" data-testid="compare">
      <h2>{t('compareTitle')}</h2>
      {others.length === 0 ? (
        <p className="message">{t('compareNone')}</p>
      ) : (
        <table>
          <tbody>
            {rows.map((row) => {
              const isCheapest = row === cheapest && others.length > 0;
              const sameCurrency = row.currency === snapshot.currency && snapshot.price !== null;
              return (
                <tr
                  key={`${row.retailer}-${row.source}`}
                  className={isCheapest ? 'cheapest' : undefined}
                  data-testid="compare-row"
                  data-retailer={row.retailer}
                  data-source={row.source}
                  data-cheapest={isCheapest}
                >
                  <td>
                    {row.retailer}
                    {row.source === 'page' && <small> ({t('compareThisPage')})</small>}
                    {row.source === 'history' && <small> ({t('compareFromHistory')})</small>}
                  </td>
                  <td>
                    <strong>{formatPrice(row.price, row.currency, languageTag)}</strong>
                    {isCheapest && <small> {t('compareCheapest')}</small>}
                  </td>
                  <td data-field="difference">
                    {row.source !== 'page' && sameCurrency ? priceDifference(row.price, snapshot.price!) : ''}
                  </td>
                  <td>
                    <small>{row.source === 'page' ? '' : t('compareSeenAt', { date: formatDate(row.seenAt, languageTag) })}</small>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
