import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { detectManifest } from '../../scripts/detect.ts';

const ROOT = resolve(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'detect-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const product = `<html><head><link rel="canonical" href="https://shop.example/p/kettle"><script type="application/ld+json">
{"@type":"Product","name":"Kettle","sku":"K1","offers":{"price":"19.90","priceCurrency":"EUR"}}</script></head><body><h1>Kettle</h1></body></html>`;

mkdirSync(join(dir, 'html'));
writeFileSync(join(dir, 'html', 'good.html.gz'), gzipSync(product));
writeFileSync(join(dir, 'html', 'plain.html'), product);
writeFileSync(join(dir, 'html', 'corrupt.html.gz'), Buffer.from('this is not gzip'));
writeFileSync(
  join(dir, 'pages.json'),
  JSON.stringify([
    { id: 'good', file: 'html/good.html.gz', url: 'https://www.shop.example/p/kettle?ref=x' },
    { id: 'plain', file: 'html/plain.html', url: null },
    { id: 'corrupt', file: 'html/corrupt.html.gz', url: null },
    { id: 'missing', file: 'html/missing.html', url: null },
  ]),
);

describe('detect CLI', () => {
  it('reads .html and .html.gz, uses the manifest url or else the canonical link, and goes on past bad files', () => {
    const errors: string[] = [];
    const out = detectManifest(join(dir, 'pages.json'), (m) => errors.push(m));
    expect(out.good).toMatchObject({ name: 'Kettle', price: '19.9', currency: 'EUR', sku: 'K1', url: 'https://shop.example/p/kettle' });
    expect(out.plain).toMatchObject({ name: 'Kettle', url: 'https://shop.example/p/kettle' });
    expect(out.corrupt).toBeNull();
    expect(out.missing).toBeNull();
    expect(errors.some((e) => e.includes('corrupt'))).toBe(true);
    expect(errors.some((e) => e.includes('missing'))).toBe(true);
  });

  it('prints one JSON object on stdout and the errors on stderr', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/detect.ts', '--manifest', join(dir, 'pages.json')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(['corrupt', 'good', 'missing', 'plain']);
    expect(Object.keys(parsed.good as object).sort()).toEqual(
      ['availability', 'brand', 'currency', 'gtin', 'image', 'mpn', 'name', 'price', 'sku', 'url'].sort(),
    );
    expect(r.stderr).toContain('corrupt');
  }, 30_000);
});
