/**
 * Runs product detection on saved pages listed in a manifest and prints one JSON object:
 * page id → null or { name, price, currency, availability, brand, gtin, mpn, sku, image, url }.
 *
 *   npm run -s detect -- --manifest PATH/pages.json
 *
 * The manifest is `[{ id, file, url }]` (the corpus's format); files are `.html` or `.html.gz`, beside it.
 * A page that cannot be read (missing, corrupt, too big) is reported on stderr and counts as null.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseHTML } from 'linkedom';
import { detectProduct } from '../core/detection/index.ts';
import { SNAPSHOT_FIELDS } from '../core/snapshot.ts';

/** Larger pages are refused: a saved product page is a few MB at most. */
const MAX_PAGE_BYTES = 30 * 1024 * 1024;

export interface ManifestEntry {
  id: string;
  file: string;
  url?: string | null;
}

export type Prediction = Record<(typeof SNAPSHOT_FIELDS)[number], string | null> | null;

export function readManifest(path: string): ManifestEntry[] {
  const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(data)) throw new Error(`${path}: expected a JSON array of { id, file, url }`);
  return data.filter(
    (e): e is ManifestEntry => typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.file === 'string',
  );
}

export function readPage(path: string): string {
  const bytes = readFileSync(path);
  if (bytes.length > MAX_PAGE_BYTES) throw new Error(`file is ${bytes.length} bytes, over the ${MAX_PAGE_BYTES} limit`);
  const html = path.endsWith('.gz') ? gunzipSync(bytes, { maxOutputLength: MAX_PAGE_BYTES }) : bytes;
  return html.toString('utf8');
}

/** Detection on one saved page, as the evaluation wants it (the snapshot's fields, null when absent). */
export function detectPage(html: string, url: string | null | undefined): Prediction {
  const { document } = parseHTML(html);
  const snapshot = detectProduct(document, url ? { url } : {});
  if (!snapshot) return null;
  return Object.fromEntries(SNAPSHOT_FIELDS.map((f) => [f, snapshot[f] ?? null])) as Prediction;
}

export function detectManifest(manifestPath: string, log: (message: string) => void): Record<string, Prediction> {
  const dir = dirname(manifestPath);
  const out: Record<string, Prediction> = {};
  for (const entry of readManifest(manifestPath)) {
    try {
      out[entry.id] = detectPage(readPage(resolve(dir, entry.file)), entry.url);
    } catch (error) {
      log(`detect: page ${entry.id} (${entry.file}): ${error instanceof Error ? error.message : String(error)}`);
      out[entry.id] = null;
    }
  }
  return out;
}

function main(argv: string[]): number {
  const i = argv.indexOf('--manifest');
  const manifest = i >= 0 ? argv[i + 1] : undefined;
  if (!manifest) {
    console.error('usage: npm run -s detect -- --manifest PATH/pages.json');
    return 2;
  }
  try {
    const result = detectManifest(resolve(manifest), (m) => console.error(m));
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    return 0;
  } catch (error) {
    console.error(`detect: cannot read manifest ${manifest}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
