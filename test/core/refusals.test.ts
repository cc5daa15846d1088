import { describe, expect, it } from 'vitest';
import { REFUSALS, refusalOf, refusalText, type RefusalKey } from '../../core/i18n/refusals.ts';

const placeholders = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));

describe('the server’s refusals in every language', () => {
  it('has each one in English and in French, the French using only placeholders the server fills', () => {
    for (const [key, text] of Object.entries(REFUSALS) as [RefusalKey, { en: string; fr: string }][]) {
      expect(text.en.trim(), key).not.toBe('');
      expect(text.fr.trim(), key).not.toBe('');
      expect(text.fr, `${key} is not translated`).not.toBe(text.en);
      for (const name of placeholders(text.fr)) expect(placeholders(text.en).has(name), `${key}: {${name}}`).toBe(true);
    }
  });

  it('reads a refusal from an error’s data and fills its sentence in the asked language', () => {
    const error = { message: 'ignored', data: { code: 'CONFLICT', refusal: { key: 'alreadyWanted', params: {} } } };
    expect(refusalText(refusalOf(error)!, 'fr')).toBe('Vous voulez déjà ce produit : modifiez votre demande actuelle ou retirez-la.');
    const tiers = refusalOf({ data: { refusal: { key: 'invalidTiers', params: { problems: 'tier 2 is not cheaper', n: 3 } } } })!;
    expect(refusalText(tiers, 'en')).toBe('Invalid tiers: tier 2 is not cheaper.');
    expect(tiers.params).toEqual({ problems: 'tier 2 is not cheaper', n: '3' });
  });

  it('ignores what is not a known refusal (an older or newer server, another error)', () => {
    expect(refusalOf(new Error('network down'))).toBeNull();
    expect(refusalOf(null)).toBeNull();
    expect(refusalOf({ data: { refusal: { key: 'notAKey', params: {} } } })).toBeNull();
    expect(refusalOf({ data: { refusal: { key: 'toString' } } })).toBeNull();
    expect(refusalOf({ data: { refusal: { key: 'noSuchPool' } } })).toEqual({ key: 'noSuchPool', params: {} });
  });
});
