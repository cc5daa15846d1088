/**
 * Times product detection in Chromium on every corpus page, against a plain walk of the same page.
 *
 *   npm run bench:detect [-- CORPUS_DIR] [--warmup N] [--runs N] [--batch N]
 *
 * CORPUS_DIR (default ../shared/corpus) holds folders with a pages.json each (product-pages, other-pages).
 * Every page is served from a local server at its original address (see test/browser/page-server.ts), with
 * its own scripts blocked. Detection is bundled as a small IIFE and run in the page: per page `warmup` runs of
 * `detectProduct(document, { url })` each followed by `document.querySelectorAll('*')` walked element by
 * element, then `runs` timed samples of `batch` back-to-back runs of each; per page, the median sample divided
 * by `batch`. Progress goes to stderr; the last stdout line is one JSON object:
 * {"pages":N,"p50Ms":..,"p95Ms":..,"walkP50Ms":..,"walkP95Ms":..} (percentiles over pages).
 *
 * Why a warm-up: each page is a fresh script context, so detection starts as cold code (about 40 KB that V8
 * interprets, then compiles in the background over the next runs), while the two-line walk is optimised
 * within its first run. How many runs that takes depends on the page: a run on a small page executes little
 * code, so V8 takes more runs to find it hot. Twenty runs, enough on the largest pages, were not on most: in
 * three runs of this bench, detection's p50 and p95 over runs 21-31 (still printed to stderr) were 11% to 47%
 * above those after 60 runs while the walk's did not fall, and a trace of runs 21-39 on a small page showed
 * Maglev and Turbofan compiling on the other core and finishing on the page's thread. Medians of early runs measure how soon the
 * machine's spare core compiles, not the work done. Both are warmed the same way before they are compared;
 * what a shopper's browser pays once per page, the cold first run, and the medians of runs 1-11 are printed to
 * stderr beside them.
 *
 * Why batches: a page that is not cross-origin isolated sees `performance.now()` in steps of 0.1 ms, about a
 * tenth of the walk on the pages at the 95th percentile. A sample of `batch` runs timed together and divided
 * by `batch` is read in steps of 0.1 / `batch` ms.
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
/** Runs 21-31, the warm-up this bench used before (reported beside, for comparison with earlier figures). */
const FORMER_WARMUP = 20;

function parseArgs(argv: string[]): { corpus: string; warmup: number; runs: number; batch: number } {
  let corpus = resolve(ROOT, '../shared/corpus');
  // Detection's medians over all pages were still falling after 20 runs (see above).
  let warmup = 60;
  // Enough samples for a steady median on a busy machine.
  let runs = 11;
  // Steps of 0.02 ms: 2% of the walk at the 95th percentile.
  let batch = 5;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--runs') runs = Number(argv[++i]);
    else if (arg === '--warmup') warmup = Number(argv[++i]);
    else if (arg === '--batch') batch = Number(argv[++i]);
    else if (!arg.startsWith('-')) corpus = resolve(arg);
    else throw new Error(`unknown option ${arg}; usage: bench/detect.ts [CORPUS_DIR] [--warmup N] [--runs N] [--batch N]`);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs expects a positive whole number');
  if (!Number.isInteger(batch) || batch < 1) throw new Error('--batch expects a positive whole number');
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error('--warmup expects a whole number');
  if (!existsSync(corpus)) throw new Error(`no corpus at ${corpus} (give its folder as the first argument)`);
  return { corpus, warmup, runs, batch };
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
  /** Each warm-up run, one at a time. */
  detect: number[];
  walk: number[];
  /** Each sample: `batch` runs timed together, divided by `batch`. */
  detectSamples: number[];
  walkSamples: number[];
  found: boolean;
}

async function main() {
  const { corpus, warmup, runs, batch } = parseArgs(process.argv.slice(2));
  const pages = pagesOf(corpus);
  const bundle = await detectionBundle();
  process.stderr.write(
    `bench:detect: ${pages.length} pages from ${corpus}, ${warmup} warm-up runs and ${runs} samples of ${batch} runs each, detection ${(bundle.length / 1024).toFixed(1)} KB\n`,
  );

  const server = await startPageServer(pages);
  const browser = await launchChromium({ serverPort: server.port, withExtension: false });
  const detectMedians: number[] = [];
  const walkMedians: number[] = [];
  const firstRuns: number[] = [];
  const earlyDetect: number[] = [];
  const earlyWalk: number[] = [];
  const formerDetect: number[] = [];
  const formerWalk: number[] = [];
  let failed = 0;
  try {
    const tab = await browser.context.newPage();
    for (const [index, page] of pages.entries()) {
      try {
        await tab.goto(page.url, { waitUntil: 'load', timeout: 30_000 });
        // Runtime evaluation by the driver is not subject to the page's CSP (which blocks the page's scripts).
        await tab.evaluate(bundle);
        const timing = await tab.evaluate(
          ({ global, warmup, runs, batch }) => {
            const { detectProduct } = (window as unknown as Record<string, { detectProduct: (d: Document, o: { url: string }) => unknown }>)[global]!;
            const result: PageTiming = { detect: [], walk: [], detectSamples: [], walkSamples: [], found: false };
            // Written out twice, not as helpers: the driver's TypeScript loader names functions with a helper
            // the page does not have.
            let seen = 0;
            for (let run = 0; run < warmup; run++) {
              let start = performance.now();
              result.found = detectProduct(document, { url: location.href }) !== null;
              result.detect.push(performance.now() - start);
              start = performance.now();
              for (const element of document.querySelectorAll('*')) seen += element.nodeType;
              result.walk.push(performance.now() - start);
            }
            for (let sample = 0; sample < runs; sample++) {
              let start = performance.now();
              for (let i = 0; i < batch; i++) result.found = detectProduct(document, { url: location.href }) !== null;
              result.detectSamples.push((performance.now() - start) / batch);
              start = performance.now();
              for (let i = 0; i < batch; i++) for (const element of document.querySelectorAll('*')) seen += element.nodeType;
              result.walkSamples.push((performance.now() - start) / batch);
            }
            if (seen < 0) throw new Error('unreachable: keeps the walk from being optimised away');
            return result;
          },
          { global: GLOBAL, warmup, runs, batch },
        );
        const detect = median(timing.detectSamples);
        const walk = median(timing.walkSamples);
        detectMedians.push(detect);
        walkMedians.push(walk);
        const first = timing.detect[0] ?? timing.detectSamples[0]!;
        firstRuns.push(first);
        const early = (runs: number[]) => median(runs.slice(0, EARLY_RUNS));
        if (timing.detect.length > 0) {
          earlyDetect.push(early(timing.detect));
          earlyWalk.push(early(timing.walk));
        }
        if (timing.detect.length >= FORMER_WARMUP + EARLY_RUNS) {
          formerDetect.push(median(timing.detect.slice(FORMER_WARMUP, FORMER_WARMUP + EARLY_RUNS)));
          formerWalk.push(median(timing.walk.slice(FORMER_WARMUP, FORMER_WARMUP + EARLY_RUNS)));
        }
        process.stderr.write(
          `[${index + 1}/${pages.length}] ${page.id} detect ${detect.toFixed(3)} ms walk ${walk.toFixed(3)} ms ` +
            `(first ${first.toFixed(2)} ms` +
            (timing.detect.length > 0 ? `; runs 1-${EARLY_RUNS} ${early(timing.detect).toFixed(2)} ms, walk ${early(timing.walk).toFixed(2)} ms` : '') +
            `) ${timing.found ? 'product' : 'none'}\n`,
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
      (earlyDetect.length ? `without warm-up (medians of runs 1-${EARLY_RUNS}): detection ${p(earlyDetect)}; walk ${p(earlyWalk)}\n` : '') +
      (formerDetect.length
        ? `after ${FORMER_WARMUP} warm-up runs (medians of runs ${FORMER_WARMUP + 1}-${FORMER_WARMUP + EARLY_RUNS}): detection ${p(formerDetect)}; walk ${p(formerWalk)}\n`
        : '') +
      `after ${warmup} warm-up runs (medians of ${runs} samples of ${batch} runs): detection ${p(detectMedians)}; walk ${p(walkMedians)}; ${failed} page(s) failed\n`,
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
