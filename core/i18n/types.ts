import type { en } from './en.ts';

/** Every string the UI shows, by key; English is the reference. */
export type MessageKey = keyof typeof en;
/** A language's strings: exactly the English keys, no more, no fewer. */
export type Dictionary = { readonly [K in MessageKey]: string };
