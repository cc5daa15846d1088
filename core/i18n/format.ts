/**
 * A decimal amount ("1299.99") formatted for the shopper: `1 299,99 €` in French, `€1,299.99` in English.
 * The currency is the page's; digits follow the currency's usual precision unless the amount has more.
 * Display only: amounts stay decimal strings everywhere else.
 */
export function formatPrice(amount: string, currency: string | null, languageTag: string): string {
  const value = Number(amount);
  const decimals = amount.split('.')[1]?.length ?? 0;
  const tag = safeTag(languageTag);
  if (currency) {
    try {
      const standard = new Intl.NumberFormat(tag, { style: 'currency', currency }).resolvedOptions();
      return new Intl.NumberFormat(tag, {
        style: 'currency',
        currency,
        minimumFractionDigits: decimals === 0 ? 0 : standard.minimumFractionDigits,
        maximumFractionDigits: Math.max(decimals, standard.maximumFractionDigits ?? 0),
      }).format(value);
    } catch {
      // An unknown currency code: show the amount and the code as they are.
    }
  }
  const number = new Intl.NumberFormat(tag, { maximumFractionDigits: Math.max(decimals, 0) }).format(value);
  return currency ? `${number} ${currency}` : number;
}

function safeTag(languageTag: string): string {
  try {
    return Intl.getCanonicalLocales(languageTag.replace('_', '-'))[0] ?? 'en';
  } catch {
    return 'en';
  }
}
