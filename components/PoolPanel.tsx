import { useEffect, useState } from 'react';
import { useLiveQuery } from 'dexie-react-hooks';
import { formatPrice } from '../core/i18n/format.ts';
import { compareDecimal } from '../core/pricing.ts';
import type { ProductSnapshot } from '../core/snapshot.ts';
import type { IntentRow, LookupRow } from '../extension/records.ts';
import { sendMessage } from '../extension/send-message.ts';
import { pageDb } from './db.ts';
import { useI18n } from './I18n.tsx';
import { IntentEditor, JoinForm } from './JoinForm.tsx';
import { readPagePool, type PagePool } from './local-queries.ts';
import { TierLadder } from './TierLadder.tsx';
import { errorText } from './format.ts';

/**
 * The pool around the product of tab `tabId`, and joining it. Renders from local data first (`initial`: the
 * rows already read for this snapshot), then from the server's answer.
 */
export function PoolPanel({ tabId, snapshot, initial }: { tabId: number; snapshot: ProductSnapshot; initial?: PagePool | undefined }) {
  const { t, locale, languageTag } = useI18n();
  const local = useLiveQuery(() => readPagePool(pageDb(), snapshot), [snapshot.url], initial);
  // The failure itself, said in the shopper's language when shown.
  const [refreshError, setRefreshError] = useState<{ error: unknown } | null>(null);

  useEffect(() => {
    let cancelled = false;
    sendMessage({ type: 'refreshProduct', tabId, productUrl: snapshot.url })
      .then(() => !cancelled && setRefreshError(null))
      .catch((error: unknown) => !cancelled && setRefreshError({ error }));
    return () => {
      cancelled = true;
    };
  }, [tabId, snapshot]);

  if (!local) return null;
  const { lookup, intent, deal } = local;
  const pool = poolFigures(lookup, intent);
  // Before a deal forms, an open campaign's leading bid: the ladder the pool is climbing (lookups saved
  // before campaigns were part of the answer have none).
  const campaign = deal ? null : (lookup?.result.campaign ?? null);
  const ladder = deal
    ? { tiers: deal.tiers, tierReached: deal.tierReached, currency: deal.currency, already: t('tierAlready', { count: deal.firmQuantity }) }
    : campaign && campaign.tiers.length > 0
      ? { tiers: campaign.tiers, tierReached: campaign.tierReached, currency: campaign.currency, already: t('tierWanted', { count: campaign.wantedQuantity }) }
      : null;
  // The price the pool pays now (a deal's), or would at the tier reached (the first tier until then).
  const poolPrice = deal ? deal.unitPrice : ladder ? ladder.tiers[ladder.tierReached ?? 0]!.unitPrice : null;
  const margin = deal ?? campaign;
  return (
    <section className="group" data-testid="group">
      <h2>{t('poolTitle')}</h2>
      {refreshError && (
        <p className="message" data-testid="lookup-error">
          {t('lookupError', { message: errorText(refreshError.error, locale) })}
        </p>
      )}
      {pool ? (
        <dl className="group-figures">
          <dt>{t('poolMembers')}</dt>
          <dd data-field="members">{pool.members}</dd>
          <dt>{t('poolQuantity')}</dt>
          <dd data-field="quantity">{pool.quantity}</dd>
        </dl>
      ) : (
        <p className="message">{lookup ? t('poolNone') : t('poolUnknown')}</p>
      )}
      {campaign && <p className="message" data-testid="campaign-open">{campaign.tiers.length > 0 ? t('campaignBidding') : t('campaignWaiting')}</p>}
      {ladder && <TierLadder {...ladder} />}
      {poolPrice && intent?.maxPrice && (
        <p className="message" data-testid="max-price-met">
          {compareDecimal(poolPrice, intent.maxPrice) <= 0 ? t('maxPriceMet') : t('maxPriceNotMet')}
        </p>
      )}
      {intent ? (
        <IntentEditor intent={intent} />
      ) : (
        <JoinForm tabId={tabId} snapshot={snapshot} margin={margin ? formatMargin(margin.organiserMargin, margin.currency, languageTag) : null} />
      )}
    </section>
  );
}

function poolFigures(lookup: LookupRow | null, intent: IntentRow | null): { members: number; quantity: number } | null {
  const pool = lookup?.result.pool;
  if (pool) return { members: pool.memberCount, quantity: pool.totalQuantity };
  if (intent?.memberCount != null && intent.totalQuantity != null) {
    return { members: intent.memberCount, quantity: intent.totalQuantity };
  }
  return null;
}

/** The organiser's margin: a percentage ("5" → 5 %) unless it names an amount in the group's currency. */
export function formatMargin(organiserMargin: string, currency: string, languageTag: string): string {
  const margin = organiserMargin.trim();
  if (margin.endsWith('%')) return margin;
  const value = Number(margin);
  if (Number.isFinite(value) && value <= 100) return `${new Intl.NumberFormat(languageTag).format(value)} %`;
  return formatPrice(margin, currency, languageTag);
}
