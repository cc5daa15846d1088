import type { Locale } from '../core/i18n/index.ts';
import type { ExtensionDB } from './db.ts';

/**
 * The shopper's settings, one row per key in the `settings` table. Reading gives defaults for what was never
 * set, so a fresh install is private by default: nothing shared, no identity until the shopper acts.
 */

export interface ShopperIdentity {
  shopperId: string;
  /** The secret the server knows only hashed. It never leaves the extension except to that server. */
  token: string;
  /** The server that issued it: a token is only valid there. */
  serverUrl: string;
  createdAt: number;
}

export type InterestKind = 'category' | 'keyword';
export interface InterestSetting {
  kind: InterestKind;
  value: string;
}

export interface Settings {
  serverUrl: string;
  identity: ShopperIdentity | null;
  /** Off by default: only then does browsing alone send the prices seen to the server. */
  sharePrices: boolean;
  /** 'auto' follows the browser's language. */
  locale: Locale | 'auto';
  interests: InterestSetting[];
  /** Whether the server has the current interests (they are sent when it can be reached). */
  interestsSynced: boolean;
  /** The shopper's region (ISO 3166), for pools; null: from the browser's language. */
  region: string | null;
  /** The last event received from `events.shopper`, to resume after a reconnect. */
  lastEventId: string | null;
}

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:3000';

export const DEFAULT_SETTINGS: Settings = {
  serverUrl: DEFAULT_SERVER_URL,
  identity: null,
  sharePrices: false,
  locale: 'auto',
  interests: [],
  interestsSynced: true,
  region: null,
  lastEventId: null,
};

export async function readSettings(db: ExtensionDB): Promise<Settings> {
  const rows = await db.settings.toArray();
  const stored = Object.fromEntries(rows.filter((row) => row.key in DEFAULT_SETTINGS).map((row) => [row.key, row.value]));
  return { ...DEFAULT_SETTINGS, ...(stored as Partial<Settings>) };
}

export async function writeSettings(db: ExtensionDB, changes: Partial<Settings>): Promise<void> {
  await db.settings.bulkPut(Object.entries(changes).map(([key, value]) => ({ key, value })));
}

/** The region for pools: the shopper's choice, else the browser language's region (`fr-CA` → CA), else US. */
export function regionOf(settings: Settings, languageTag: string): string {
  if (settings.region) return settings.region;
  const region = languageTag.split(/[-_]/)[1];
  return region && /^[A-Za-z]{2}$/.test(region) ? region.toUpperCase() : 'US';
}

/** A server address the shopper typed: http(s) only, no path, query or credentials. */
export function normaliseServerUrl(input: string): string | null {
  try {
    const url = new URL(input.trim());
    if (!/^https?:$/.test(url.protocol) || url.username || url.password) return null;
    return url.origin;
  } catch {
    return null;
  }
}
