/**
 * Measures detection on the shared corpus: runs it on product-pages and other-pages, prints the scorer's
 * tables (with the baselines beside this project), then checks the floors of issue 2.
 *
 *   npm run eval [-- --corpus DIR] [-- --errors]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectManifest } from './detect.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Floors on product-pages (F1 per field), from issue 2. Zyte's scores for reference in the issue. */
const FLOORS: Record<string, number> = {
  price: 0.97,
  availability: 0.97,
  sku: 0.9,
  currency: 0.97,
  brand: 0.85,
  mpn: 0.75,
};
/** Share of product pages on which a product must be found. */
const FOUND_FLOOR = 0.99;

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function score(scorer: string, truth: string, pred: string, extra: string[]): string {
  const r = spawnSync(process.execPath, [scorer, '--truth', truth, '--pred', pred, ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scorer failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function main(argv: string[]): number {
  const corpus = resolve(arg(argv, '--corpus') ?? join(root, '..', 'shared', 'corpus'));
  const scorer = resolve(corpus, '..', 'tools', 'score-detection.mjs');
  const products = join(corpus, 'product-pages');
  const others = join(corpus, 'other-pages');
  for (const path of [join(products, 'pages.json'), join(others, 'pages.json'), scorer]) {
    if (!existsSync(path)) {
      console.error(`eval: ${path} not found.\nThe corpus was looked for in ${corpus}; pass another with: npm run eval -- --corpus DIR`);
      return 2;
    }
  }
  const extra = argv.includes('--errors') ? ['--errors'] : [];
  const tmp = mkdtempSync(join(tmpdir(), 'detect-eval-'));
  try {
    const log = (m: string) => console.error(m);
    const predProducts = join(tmp, 'product-pages.json');
    const predOthers = join(tmp, 'other-pages.json');
    writeFileSync(predProducts, JSON.stringify(detectManifest(join(products, 'pages.json'), log)));
    writeFileSync(predOthers, JSON.stringify(detectManifest(join(others, 'pages.json'), log)));

    console.log('== product-pages ==');
    const productTable = score(scorer, join(products, 'truth.json'), predProducts, ['--baselines', join(products, 'baselines'), ...extra]);
    console.log(productTable.trimEnd());
    console.log('\n== other-pages ==');
    const otherTable = score(scorer, join(others, 'truth.json'), predOthers, extra);
    console.log(otherTable.trimEnd());

    const missed: string[] = [];
    const f1 = JSON.parse(/^F1 (.*)$/m.exec(productTable)?.[1] ?? '{}') as Record<string, number>;
    for (const [field, floor] of Object.entries(FLOORS)) {
      const got = f1[field];
      if (got === undefined || got < floor) missed.push(`${field} F1 ${got ?? 'missing'} < ${floor}`);
    }
    const found = /^isProduct\s+this project\s+\S+\s+\S+\s+(\S+)/m.exec(productTable)?.[1];
    if (found === undefined || Number(found) < FOUND_FLOOR) missed.push(`product found on ${found ?? '?'} of product pages < ${FOUND_FLOOR}`);
    const wrong = /pages with no product where one was found: (\d+) of (\d+)/.exec(otherTable);
    if (!wrong || wrong[1] !== '0') missed.push(`other-pages: a product was found on ${wrong?.[1] ?? '?'} of ${wrong?.[2] ?? '?'} pages that have none`);

    if (missed.length) {
      console.log(`\nFloors missed:\n${missed.map((m) => `- ${m}`).join('\n')}`);
      return 1;
    }
    console.log('\nAll floors hold.');
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));
