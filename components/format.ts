/** Date and time as the shopper reads them. */
export function formatDate(value: string | number, languageTag: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(languageTag, { dateStyle: 'medium', timeStyle: 'short' });
}
