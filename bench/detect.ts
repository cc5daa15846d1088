/**
 * Times product detection in Chromium on every corpus page, against a plain walk of the same page.
 *
 *   npm run bench:detect [-- CORPUS_DIR] [--warmup N] [--runs N]
 *
 * CORPUS_DIR (default ../shared/corpus) holds folders with a pages.json each (product-pages, other-pages).
 * Every page is served from a local server at its original address (see test/browser/page-server.ts), with
 * its own scripts blocked. Detection is bundled as a small IIFE and run in the page: per page `warmup` +
 * `runs` times `detectProduct(document, { url })` and, in the same run, `document.querySelectorAll('*')`
 * walked element by element; the median of each over the last `runs` per page. Progress goes to stderr;
 * the last stdout line is one JSON object: {"pages":N,"p50Ms":..,"p95Ms":..,"walkP50Ms":..,"walkP95Ms":..}
 * (percentiles over pages).
 *
 * Why a warm-up: each page is a fresh script context, so detection starts as cold code (about 40 KB that V8
 * interprets, then compiles in the background over the next runs), while the two-line walk is optimised
 * within its first run. Medians of the first runs measure how soon the machine's spare core compiles, not
 * the work done (on the slowest pages they were two to three times the steady time). Both are warmed the same
 * way before they are compared; what a shopper's browser pays once per page, the cold first run, and the
 * medians without warm-up are printed to stderr beside them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { launchChromium } from '../test/browser/chromium.ts';
import { corpusPages, startPageServer, type ServedPage } from '../test/browser/page-server.ts';

const ROOT = resolve(import.meta.dirname, '..');
const GLOBAL = '__groupBuyDetection';

/** Runs whose medians are reported without warm-up (the cold first run is one of them). */
const EARLY_RUNS = 11;

function parseArgs(argv: string[]): { corpus: string; warmup: number; runs: number } {
  let corpus = resolve(ROOT, '../shared/corpus');
  // On the corpus's 20 slowest pages the medians of runs 21-31 were steady, those of runs 1-11 two to
  // three times higher (V8 had not compiled most of detection by the 11th run).
  let warmup = 20;
  // Enough runs for a steady median on a busy machine.
  let runs = 11;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--runs') runs = Number(argv[++i]);
    else if (arg === '--warmup') warmup = Number(argv[++i]);
    else if (!arg.startsWith('-')) corpus = resolve(arg);
    else throw new Error(`unknown option ${arg}; usage: bench/detect.ts [CORPUS_DIR] [--warmup N] [--runs N]`);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs expects a positive whole number');
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup expects a whole number');
  if (!existsSync(corpus)) throw new Error(`no corpus at ${corpus} (give its folder as the first argument)`);
  return { corpus, warmup, runs };
}

/** The pages of every pages.json under `corpus` (one level down, or `corpus` itself). */
function pagesOf(corpus: string): ServedPage[] {
  const manifests = existsSync(join(corpus, 'pages.json'))
    ? [join(corpus, 'pages.json')]
    : readdirSync(corpus, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(join(corpus, entry.name, 'pages.json')))
        .map((entry) => join(corpus, entry.name, 'pages.json'));
  if (manifests.length === 0) throw new Error(`no pages.json in ${corpus} or its folders`);
  return manifests.flatMap((manifest, index) => corpusPages(manifest, `corpus-${index}.test`));
}

/** core/detection bundled for the page: defines `window.__groupBuyDetection.detectProduct`. */
async function detectionBundle(): Promise<string> {
  const result = await build({
    stdin: { contents: "export { detectProduct } from './core/detection/index.ts';", resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    format: 'iife',
    globalName: GLOBAL,
    minify: true,
    target: 'chrome120',
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0]!.text;
}

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const median = (values: number[]) => percentile(values, 50);
const round = (ms: number) => Math.round(ms * 1000) / 1000;

interface PageTiming {
  detect: number[];
  walk: number[];
  found: boolean;
}

async function main() {
  const { corpus, warmup, runs } = parseArgs(process.argv.slice(2));
  const pages = pagesOf(corpus);
  const bundle = await detectionBundle();
  process.stderr.write(
    `bench:detect: ${pages.length} pages from ${corpus}, ${warmup} warm-up and ${runs} timed runs each, detection ${(bundle.length / 1024).toFixed(1)} KB\n`,
  );

  const server = await startPageServer(pages);
  const browser = await launchChromium({ serverPort: server.port, withExtension: false });
  const detectMedians: number[] = [];
  const walkMedians: number[] = [];
  const firstRuns: number[] = [];
  const earlyDetect: number[] = [];
  const earlyWalk: number[] = [];
  let failed = 0;
  try {
    const tab = await browser.context.newPage();
    for (const [index, page] of pages.entries()) {
      try {
        await tab.goto(page.url, { waitUntil: 'load', timeout: 30_000 });
        // Runtime evaluation by the driver is not subject to the page's CSP (which blocks the page's scripts).
        await tab.evaluate(bundle);
        const timing = await tab.evaluate(
          ({ global, total }) => {
            const { detectProduct } = (window as unknown as Record<string, { detectProduct: (d: Document, o: { url: string }) => unknown }>)[global]!;
            const result: PageTiming = { detect: [], walk: [], found: false };
            for (let run = 0; run < total; run++) {
              let start = performance.now();
              result.found = detectProduct(document, { url: location.href }) !== null;
              result.detect.push(performance.now() - start);
              start = performance.now();
              let seen = 0;
              for (const element of document.querySelectorAll('*')) seen += element.nodeType;
              result.walk.push(performance.now() - start);
              if (seen < 0) throw new Error('unreachable: keeps the walk from being optimised away');
            }
            return result;
          },
          { global: GLOBAL, total: warmup + runs },
        );
        const detect = median(timing.detect.slice(warmup));
        const walk = median(timing.walk.slice(warmup));
        detectMedians.push(detect);
        walkMedians.push(walk);
        firstRuns.push(timing.detect[0]!);
        earlyDetect.push(median(timing.detect.slice(0, EARLY_RUNS)));
        earlyWalk.push(median(timing.walk.slice(0, EARLY_RUNS)));
        process.stderr.write(
          `[${index + 1}/${pages.length}] ${page.id} detect ${detect.toFixed(2)} ms walk ${walk.toFixed(2)} ms ` +
            `(first ${timing.detect[0]!.toFixed(2)} ms; runs 1-${EARLY_RUNS} ${earlyDetect.at(-1)!.toFixed(2)} ms, walk ${earlyWalk.at(-1)!.toFixed(2)} ms) ` +
            `${timing.found ? 'product' : 'none'}\n`,
        );
      } catch (error) {
        failed += 1;
        process.stderr.write(`[${index + 1}/${pages.length}] ${page.id} FAILED: ${String(error).split('\n')[0]}\n`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  if (detectMedians.length === 0) throw new Error('no page could be measured');
  const p = (values: number[]) => `p50 ${percentile(values, 50).toFixed(2)} ms, p95 ${percentile(values, 95).toFixed(2)} ms`;
  process.stderr.write(
    `first run (cold, as a shopper's browser runs it once per page): ${p(firstRuns)}\n` +
      `without warm-up (medians of runs 1-${EARLY_RUNS}): detection ${p(earlyDetect)}; walk ${p(earlyWalk)}\n` +
      `after ${warmup} warm-up runs (medians of ${runs}): detection ${p(detectMedians)}; walk ${p(walkMedians)}; ${failed} page(s) failed\n`,
  );
  console.log(
    JSON.stringify({
      pages: detectMedians.length,
      p50Ms: round(percentile(detectMedians, 50)),
      p95Ms: round(percentile(detectMedians, 95)),
      walkP50Ms: round(percentile(walkMedians, 50)),
      walkP95Ms: round(percentile(walkMedians, 95)),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
