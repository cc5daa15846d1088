import type { Tier } from '../core/deal.ts';
import { formatPrice } from '../core/i18n/format.ts';
import { useI18n } from './I18n.tsx';

/**
 * "Already 50 units" and the price at each tier; the tier reached is marked (one price for everyone).
 * For a deal, `already` counts the confirmed units; for an open campaign, the units the group wants.
 */
export function TierLadder({ tiers, tierReached, currency, already }: { tiers: readonly Tier[]; tierReached: number | null; currency: string; already: string }) {
  const { t, languageTag } = useI18n();
  return (
    <div className="tiers" data-testid="tiers">
      <h3>{t('tiersTitle')}</h3>
      <p data-field="already">{already}</p>
      <ol>
        {tiers.map((tier, index) => (
          <li key={tier.minQuantity} className={index === tierReached ? 'tier reached' : 'tier'} data-reached={index === tierReached}>
            <span>{t('tierRow', { quantity: tier.minQuantity })}</span>
            <strong>{formatPrice(tier.unitPrice, currency, languageTag)}</strong>
            {index === tierReached && <em> ({t('tierReached')})</em>}
          </li>
        ))}
      </ol>
    </div>
  );
}
