import { useI18n } from './I18n.tsx';

/** Shown when detection found no product on the page (or has not run there, e.g. on a browser page). */
export function NoProduct() {
  const { t } = useI18n();
  return (
    <section className="no-product" data-testid="no-product">
      <p className="no-product-title">{t('noProduct')}</p>
      <p className="no-product-hint">{t('noProductHint')}</p>
    </section>
  );
}
