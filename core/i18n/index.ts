import { en } from './en.ts';
import { fr } from './fr.ts';
import type { Dictionary, MessageKey } from './types.ts';

export type { Dictionary, MessageKey } from './types.ts';

/**
 * The UI's languages. Pure strings and lookup, no browser API: the caller says which language
 * (today from the browser's UI language; a later options page can store a choice and pass it here).
 */
export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];

// `satisfies` checks English against the same type as French, so both carry exactly the same keys.
const DICTIONARIES = { en: en satisfies Dictionary, fr } as const satisfies Record<Locale, Dictionary>;

/** The supported language for a BCP 47 tag such as `fr-CA` or `en_GB`; English when unsupported. */
export function pickLocale(languageTag: string | null | undefined): Locale {
  const primary = (languageTag ?? '').toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((locale) => locale === primary) ?? 'en';
}

/** Values to put in a message's `{placeholders}`. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** `template` with its `{name}` placeholders filled (unknown ones are left as they are). */
export function fill(template: string, params: MessageParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : placeholder,
  );
}

/** The message for `key` in `locale`, with its placeholders filled. */
export function t(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  return fill(DICTIONARIES[locale][key], params);
}

/** A `t` bound to one language, for components. */
export function translator(locale: Locale): (key: MessageKey, params?: MessageParams) => string {
  return (key, params) => t(locale, key, params);
}
