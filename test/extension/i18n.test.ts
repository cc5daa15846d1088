import { describe, expect, it } from 'vitest';
import { LOCALES, pickLocale, t } from '../../core/i18n/index.ts';
import { en } from '../../core/i18n/en.ts';
import { fr } from '../../core/i18n/fr.ts';
import { formatPrice } from '../../core/i18n/format.ts';
import { AVAILABILITIES } from '../../core/snapshot.ts';
import enManifest from '../../public/_locales/en/messages.json';
import frManifest from '../../public/_locales/fr/messages.json';

describe('i18n', () => {
  it('picks the language from the browser UI language', () => {
    expect(pickLocale('fr')).toBe('fr');
    expect(pickLocale('fr-CA')).toBe('fr');
    expect(pickLocale('en_GB')).toBe('en');
    expect(pickLocale('de-DE')).toBe('en');
    expect(pickLocale(undefined)).toBe('en');
  });

  it('has every key in both languages, none empty', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    for (const locale of LOCALES) {
      for (const key of Object.keys(en) as (keyof typeof en)[]) expect(t(locale, key)).not.toBe('');
    }
  });

  it('has a label for every availability', () => {
    for (const availability of AVAILABILITIES) expect(Object.keys(en)).toContain(`availability${availability}`);
  });

  it('fills placeholders as text', () => {
    expect(t('fr', 'badgeTitleProduct', { name: '<b>Vélo</b>' })).toBe('Produit détecté : <b>Vélo</b>');
    expect(t('en', 'error', {})).toBe('Something went wrong: {message}');
  });

  it('has the manifest name and description in both languages', () => {
    for (const manifest of [enManifest, frManifest]) {
      expect(manifest.extName.message).toBeTruthy();
      expect(manifest.extDescription.message).toBeTruthy();
    }
    expect(frManifest.extName.message).toBe(fr.extName);
    expect(enManifest.extName.message).toBe(en.extName);
  });
});

describe('formatPrice', () => {
  // Intl inserts narrow no-break spaces in French: compare with plain spaces.
  const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

  it("formats in the shopper's language with the page's currency", () => {
    expect(plain(formatPrice('1299.99', 'EUR', 'fr-FR'))).toBe('1 299,99 €');
    expect(formatPrice('1299.99', 'EUR', 'en-US')).toBe('€1,299.99');
    expect(formatPrice('34.99', 'GBP', 'en-GB')).toBe('£34.99');
    expect(plain(formatPrice('30000', 'KRW', 'fr'))).toBe('30 000 ₩');
  });

  it('keeps whole amounts whole and keeps extra precision', () => {
    expect(formatPrice('515', 'GBP', 'en-GB')).toBe('£515');
    expect(formatPrice('36.9', 'EUR', 'en-US')).toBe('€36.90');
    expect(formatPrice('0.125', 'USD', 'en-US')).toBe('$0.125');
  });

  it('shows the amount alone without currency, and survives a bad language tag', () => {
    expect(formatPrice('1299.5', null, 'en')).toBe('1,299.5');
    expect(formatPrice('12', 'EUR', 'not a tag!')).toBe('€12');
  });
});
