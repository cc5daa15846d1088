import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseHTML } from 'linkedom';

/** A document parsed in Node as the detect CLI parses it. */
export function parse(html: string): Document {
  return parseHTML(html).document as unknown as Document;
}

/** A small page: head and body given as HTML. */
export function page(body: string, head = '', lang = 'en'): Document {
  return parse(`<!doctype html><html lang="${lang}"><head><title>Page</title>${head}</head><body>${body}</body></html>`);
}

export function readHtml(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}
