import type { ProductSnapshot } from '../core/snapshot.ts';
import type { MessageKey } from '../core/i18n/index.ts';
import { formatPrice } from '../core/i18n/format.ts';
import { useI18n } from './I18n.tsx';
import { ProductImage } from './ProductImage.tsx';

/**
 * The product read on the page. Everything from the page is rendered as text (React escapes it): a shop's
 * name or price can contain markup, which must show as characters, never run.
 */
export function ProductCard({ snapshot }: { snapshot: ProductSnapshot }) {
  const { t, languageTag } = useI18n();
  const identifiers = (['gtin', 'mpn', 'sku'] as const).filter((field) => snapshot[field] !== null);
  return (
    <article className="product" data-testid="product">
      {snapshot.image && <ProductImage src={snapshot.image} alt={t('productImage', { name: snapshot.name })} />}
      <h1 className="product-name" data-field="name">
        {snapshot.name}
      </h1>
      <p className="product-price" data-field="price">
        {snapshot.price !== null ? formatPrice(snapshot.price, snapshot.currency, languageTag) : t('priceUnknown')}
      </p>
      <dl className="product-facts">
        <dt>{t('retailer')}</dt>
        <dd data-field="retailer">{snapshot.retailer}</dd>
        {snapshot.brand && (
          <>
            <dt>{t('brand')}</dt>
            <dd data-field="brand">{snapshot.brand}</dd>
          </>
        )}
        {snapshot.availability && (
          <>
            <dt>{t('availability')}</dt>
            <dd data-field="availability">{t(`availability${snapshot.availability}` satisfies MessageKey)}</dd>
          </>
        )}
        {identifiers.map((field) => (
          <div key={field} className="product-identifier">
            <dt>{t(field)}</dt>
            <dd data-field={field}>{snapshot[field]}</dd>
          </div>
        ))}
      </dl>
    </article>
  );
}
