import { useLiveQuery } from 'dexie-react-hooks';
import { browser } from 'wxt/browser';
import { formatPrice } from '../core/i18n/format.ts';
import { pageDb } from './db.ts';
import { formatDate, intentErrorText } from './format.ts';
import { useI18n } from './I18n.tsx';
import { readMyIntents, type MyIntentsRows } from './local-queries.ts';

const SYNC_KEYS = { pending: 'syncPending', sent: 'syncSent', failed: 'syncFailed' } as const;

/** Every intent and deal of this shopper with its status, newest first. `initial`: rows already read. */
export function MyIntents({ initial }: { initial?: MyIntentsRows | undefined }) {
  const { t, locale, languageTag } = useI18n();
  const data = useLiveQuery(() => readMyIntents(pageDb()), [], initial);
  if (!data) return null;
  const { intents, deals } = data;
  const openDeal = (dealId: string) =>
    void browser.tabs.create({ url: browser.runtime.getURL(`/confirm.html?deal=${encodeURIComponent(dealId)}` as '/confirm.html') });
  return (
    <section className="my-groups" data-testid="my-groups">
      <h2>{t('myIntentsTitle')}</h2>
      {intents.length === 0 && deals.length === 0 && <p className="message">{t('myIntentsNone')}</p>}
      <ul>
        {deals.map((deal) => {
          const price = formatPrice(deal.unitPrice, deal.currency, languageTag);
          const status =
            deal.state === 'confirming'
              ? t('dealConfirming', { price, date: formatDate(deal.confirmBy, languageTag) })
              : deal.state === 'closed'
                ? t('dealClosed', { price })
                : t('dealFailed');
          return (
            <li key={deal.dealId} data-testid="my-deal" data-deal-id={deal.dealId} data-state={deal.state}>
              <strong>{deal.productName}</strong> · {status}
              {deal.myCommitment && ` · ${t(deal.myCommitment === 'confirmed' ? 'commitmentConfirmed' : 'commitmentDeclined')}`}
              {deal.state === 'confirming' && (
                <button type="button" onClick={() => openDeal(deal.dealId)}>
                  {t('answerButton')}
                </button>
              )}
            </li>
          );
        })}
        {intents.map((intent) => (
          <li key={intent.id} data-testid="my-intent-row" data-intent-id={intent.id} data-sync={intent.sync} data-status={intent.status}>
            <strong>{intent.productName}</strong> · {intent.retailer} · ×{intent.quantity}
            {intent.maxPrice && ` ≤ ${formatPrice(intent.maxPrice, intent.currency, languageTag)}`} ·{' '}
            {intent.status === 'withdrawn' ? t('withdrawn') : t(SYNC_KEYS[intent.sync], { message: intentErrorText(intent, locale) })}
          </li>
        ))}
      </ul>
    </section>
  );
}
