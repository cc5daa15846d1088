import { formatPrice } from '../core/i18n/format.ts';
import type { DealRow } from '../extension/records.ts';
import { useI18n } from './I18n.tsx';

/** "Already 50 units" and the price at each tier; the tier reached is marked (one price for everyone). */
export function TierLadder({ deal }: { deal: DealRow; maxPrice: string | null }) {
  const { t, languageTag } = useI18n();
  return (
    <div className="tiers" data-testid="tiers">
      <h3>{t('tiersTitle')}</h3>
      <p data-field="firm-quantity">{t('tierAlready', { count: deal.firmQuantity })}</p>
      <ol>
        {deal.tiers.map((tier, index) => (
          <li key={tier.minQuantity} className={index === deal.tierReached ? 'tier reached' : 'tier'} data-reached={index === deal.tierReached}>
            <span>{t('tierRow', { quantity: tier.minQuantity })}</span>
            <strong>{formatPrice(tier.unitPrice, deal.currency, languageTag)}</strong>
            {index === deal.tierReached && <em> ({t('tierReached')})</em>}
          </li>
        ))}
      </ol>
    </div>
  );
}
