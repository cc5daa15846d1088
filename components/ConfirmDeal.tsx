import { useEffect, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { formatPrice } from '../core/i18n/format.ts';
import { sendMessage } from '../extension/send-message.ts';
import type { Decision } from '../core/shopper-deal.ts';
import { noticeText } from '../extension/notices.ts';
import { pageDb } from './db.ts';
import { errorText, formatDate } from './format.ts';
import { formatMargin } from './PoolPanel.tsx';
import { useI18n } from './I18n.tsx';
import { TierLadder } from './TierLadder.tsx';

/**
 * The confirmation view (opened from a notification or from "My groups"): the deal as it stands, and the
 * shopper's answer, a Commitment recorded on the server. Contact details are shared only when asked.
 */
export function ConfirmDeal({ dealId, noticeId }: { dealId: string | null; noticeId: number | null }) {
  const { t, locale, languageTag } = useI18n();
  const data = useLiveQuery(async () => {
    const db = pageDb();
    const notice = noticeId ? ((await db.notifications.get(noticeId)) ?? null) : null;
    const id = dealId ?? notice?.dealId ?? null;
    return { notice, deal: id ? ((await db.deals.get(id)) ?? null) : null, now: Date.now() };
  }, [dealId, noticeId]);
  const [share, setShare] = useState(false);
  const [contact, setContact] = useState({ name: '', email: '', address: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // The deal may have changed since the notification: ask the server for the latest.
  useEffect(() => {
    void sendMessage({ type: 'syncNow' }).catch(() => undefined);
  }, []);

  if (!data) return null;
  const { deal, notice, now } = data;
  if (!deal) {
    return (
      <main className="confirm" data-testid="confirm">
        <h1>{t('confirmTitle')}</h1>
        {notice ? (
          <>
            <h2>{noticeText(notice, locale, languageTag).title}</h2>
            <p data-testid="notice">{noticeText(notice, locale, languageTag).message}</p>
          </>
        ) : (
          <p className="message" data-testid="deal-not-found">
            {t('dealNotFound')}
          </p>
        )}
      </main>
    );
  }
  const price = formatPrice(deal.unitPrice, deal.currency, languageTag);
  const open = deal.state === 'confirming' && Date.parse(deal.confirmBy) > now;
  const respond = async (decision: Decision) => {
    setBusy(true);
    setError(null);
    try {
      const shareContact =
        decision === 'confirm' && share && contact.name && contact.email
          ? { name: contact.name, email: contact.email, ...(contact.address && { address: contact.address }) }
          : undefined;
      await sendMessage({ type: 'respondDeal', dealId: deal.dealId, decision, ...(shareContact && { shareContact }) });
    } catch (e) {
      setError(errorText(e, locale));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="confirm" data-testid="confirm" data-deal-id={deal.dealId}>
      <h1>{t('confirmTitle')}</h1>
      <h2>{deal.productName}</h2>
      <dl className="group-figures">
        <dt>{t('confirmPrice')}</dt>
        <dd data-field="unit-price">{price}</dd>
        <dt>{t('confirmQuantity')}</dt>
        <dd>{deal.myQuantity}</dd>
        <dt>{t('confirmDeadline')}</dt>
        <dd>{formatDate(deal.confirmBy, languageTag)}</dd>
        <dt>{t('confirmMargin')}</dt>
        <dd>{formatMargin(deal.organiserMargin, deal.currency, languageTag)}</dd>
      </dl>
      <TierLadder tiers={deal.tiers} tierReached={deal.tierReached} currency={deal.currency} already={t('tierAlready', { count: deal.firmQuantity })} />
      <p className="rule">{t('joinRule')}</p>
      {deal.myCommitment === 'confirmed' && <p data-testid="commitment" data-commitment="confirmed">{t('confirmedDone', { price })}</p>}
      {deal.myCommitment === 'declined' && <p data-testid="commitment" data-commitment="declined">{t('declinedDone')}</p>}
      {open ? (
        <>
          <label>
            <input type="checkbox" checked={share} onChange={(e) => setShare(e.target.checked)} /> {t('shareContactLabel')}
          </label>
          {share && (
            <div className="fields">
              {(['name', 'email', 'address'] as const).map((key) => (
                <label key={key}>
                  {t(key === 'name' ? 'contactName' : key === 'email' ? 'contactEmail' : 'contactAddress')}
                  <input value={contact[key]} onChange={(e) => setContact({ ...contact, [key]: e.target.value })} />
                </label>
              ))}
            </div>
          )}
          <div className="actions">
            <button type="submit" data-testid="confirm-deal" disabled={busy} onClick={() => void respond('confirm')}>
              {t('confirmButton')}
            </button>
            <button type="button" data-testid="decline-deal" disabled={busy} onClick={() => void respond('decline')}>
              {t('declineButton')}
            </button>
          </div>
        </>
      ) : (
        <p className="message">{t('windowClosed')}</p>
      )}
      {error && <p className="error">{t('error', { message: error })}</p>}
    </main>
  );
}
