import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';

/** The built Chrome extension (`npm run build` writes it). */
export const EXTENSION_DIR = resolve(import.meta.dirname, '../../.output/chrome-mv3');
const DEBIAN_CHROMIUM = '/usr/lib/chromium/chromium';

/**
 * Debian's Chromium: CHROMIUM_PATH when set, else /usr/lib/chromium/chromium, installed with apt-get when
 * missing and we are root. Never skips: a machine without a browser fails with how to get one.
 */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (canInstall) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit' });
    if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  }
  throw new Error(
    `Chromium not found at ${DEBIAN_CHROMIUM}. Install it with \`sudo apt-get install -y chromium\` (Debian) ` +
      'or point CHROMIUM_PATH at a Chromium executable.',
  );
}

export interface LaunchOptions {
  /** Every host name resolves to this local port, so pages load at their original addresses. */
  serverPort: number;
  /** The browser's UI language (what `browser.i18n.getUILanguage()` returns). */
  lang?: string;
  /** Load the built extension (the benchmark runs detection without it). */
  withExtension?: boolean;
  /** Addresses left out of the mapping, so the extension reaches a real API server on 127.0.0.1 (its own port). */
  unmapped?: string[];
}

export interface Launched {
  context: BrowserContext;
  close: () => Promise<void>;
}

/**
 * Launches Chromium headless with a fresh profile. `--host-resolver-rules` sends every host to the local
 * server: pages keep their real address (detection reads the domain) and no request can leave the machine.
 */
export async function launchChromium({ serverPort, lang = 'en-US', withExtension = true, unmapped = [] }: LaunchOptions): Promise<Launched> {
  if (withExtension && !existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`No built extension in ${EXTENSION_DIR}: run \`npm run build\` first (npm test does).`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'group-buy-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    locale: lang,
    ignoreHTTPSErrors: true,
    ignoreDefaultArgs: withExtension ? ['--disable-extensions'] : [],
    args: [
      ...(withExtension ? [`--disable-extensions-except=${EXTENSION_DIR}`, `--load-extension=${EXTENSION_DIR}`] : []),
      `--lang=${lang}`,
      `--host-resolver-rules=${[`MAP * 127.0.0.1:${serverPort}`, ...unmapped.map((host) => `EXCLUDE ${host}`)].join(', ')}`,
      // The local server's certificate is a throwaway one: it is the only server this browser can reach.
      '--ignore-certificate-errors',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The extension's service worker (it starts with the browser). */
export async function extensionWorker(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 10_000 }));
}

/** The extension's id: the host of its service worker's address. */
export function extensionId(worker: Worker): string {
  return new URL(worker.url()).host;
}
