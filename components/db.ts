import { ExtensionDB } from '../extension/db.ts';

/**
 * The extension's database, opened by the extension's pages (popup, options, confirmation view). They share
 * the background's IndexedDB (same origin): they read it directly with live queries, and ask the background
 * to write anything that must reach the server.
 */
let shared: ExtensionDB | null = null;
export function pageDb(): ExtensionDB {
  shared ??= new ExtensionDB();
  return shared;
}
