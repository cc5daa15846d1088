/**
 * GTINs (EAN-8, UPC-A, EAN-13, GTIN-14, ISBN-13) checked by their check digit. Normalised so that the same
 * product compares equal across retailers: UPC-A (12 digits) and GTIN-14 with a leading zero become EAN-13.
 */
export function isValidGtin(digits: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(digits)) return false;
  let sum = 0;
  // Weights 3,1,3,1... from the digit left of the check digit.
  for (let i = digits.length - 2, w = 3; i >= 0; i--, w = 4 - w) sum += Number(digits[i]) * w;
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

export function parseGtin(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
  if (typeof value !== 'string' || value.length > 40) return null;
  const digits = value.replace(/[\s-]/g, '').replace(/^(?:gtin|ean|upc|isbn)[:\d]*?:/i, '');
  if (!/^\d+$/.test(digits)) return null;
  let d = digits;
  if (d.length === 12) d = `0${d}`;
  if (d.length === 14 && d.startsWith('0')) d = d.slice(1);
  // An 8-digit code padded with zeros to 13 or 14 is an EAN-8.
  if (/^0{5,6}\d{8}$/.test(d) && isValidGtin(d.slice(-8))) return d.slice(-8);
  if (d.length === 11 || d.length === 7) return null;
  return isValidGtin(d) ? d : null;
}
