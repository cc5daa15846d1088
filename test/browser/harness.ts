import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { extensionId, extensionWorker, launchChromium } from './chromium.ts';
import { corpusPages, startPageServer, type PageServer, type ServedPage } from './page-server.ts';
import type { TabProduct } from '../../extension/messages.ts';

export const FIXTURES = resolve(import.meta.dirname, '../fixtures/pages');
const OWN_PAGES = resolve(import.meta.dirname, 'pages');

/** The extension APIs the tests call in the service worker (its global `chrome`; the casts vanish at run time). */
interface WorkerChrome {
  storage: { session: { get(keys: null): Promise<Record<string, unknown>> } };
  action: { getBadgeText(details: { tabId: number }): Promise<string> };
}

/** The fixture corpus pages (product and other), each at its original address. */
export const fixturePages = () => corpusPages(resolve(FIXTURES, 'pages.json'), 'other-pages.test');

/** One of our synthetic pages (test/browser/pages/NAME), served with its scripts at `url`. */
export function ownPage(name: string, url: string): ServedPage {
  return { id: name, url, scripts: true, body: () => readFileSync(resolve(OWN_PAGES, name)) };
}

/** The truth of the fixture corpus: per page, accepted values per field. */
export type Truth = Record<string, { isProduct: boolean } & Partial<Record<string, string[]>>>;
export const fixtureTruth = () => JSON.parse(readFileSync(resolve(FIXTURES, 'truth.json'), 'utf8')) as Truth;

/**
 * Chromium with the built extension and a local server for `pages`, plus what the tests do with them:
 * open a page in a tab, find that tab's id, open the popup for it, read its badge.
 */
export class ExtensionHarness {
  private constructor(
    readonly server: PageServer,
    readonly context: BrowserContext,
    readonly worker: Worker,
    readonly extensionId: string,
    private readonly closeBrowser: () => Promise<void>,
  ) {}

  static async start(pages: ServedPage[], lang = 'en-US', unmapped: string[] = []): Promise<ExtensionHarness> {
    const server = await startPageServer(pages);
    try {
      const { context, close } = await launchChromium({ serverPort: server.port, lang, unmapped });
      const worker = await extensionWorker(context);
      return new ExtensionHarness(server, context, worker, extensionId(worker), close);
    } catch (error) {
      await server.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.closeBrowser();
    await this.server.close();
  }

  /** Opens `url` in a new tab and waits until it has loaded. */
  async open(url: string): Promise<Page> {
    const page = await this.context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    return page;
  }

  /** Everything the background knows, per tab id (read from the extension's own session storage). */
  async tabProducts(): Promise<Map<number, TabProduct>> {
    const stored = await this.worker.evaluate(() =>
      (globalThis as unknown as { chrome: WorkerChrome }).chrome.storage.session.get(null),
    );
    const tabs = new Map<number, TabProduct>();
    for (const [key, value] of Object.entries(stored)) {
      const match = /^tabProduct:(\d+)$/.exec(key);
      if (match) tabs.set(Number(match[1]), value as TabProduct);
    }
    return tabs;
  }

  /**
   * The id of the tab showing `url`, once the content script has reported what it found there. The tab is
   * found through that report, since without the `tabs` permission the extension cannot see tab addresses.
   */
  async reportedTab(url: string, accept: (report: TabProduct) => boolean = () => true): Promise<number> {
    const wanted = url.split('#')[0];
    return waitFor(`a report from the content script for ${url}`, 15_000, async () => {
      for (const [tabId, report] of await this.tabProducts()) {
        if (report.pageUrl.split('#')[0] === wanted && accept(report)) return tabId;
      }
      return undefined;
    });
  }

  /**
   * The popup for `tabId`, opened in a tab of its own (`?tab=` says which tab to describe), once it shows a
   * product or "no product".
   */
  async popup(tabId: number): Promise<Page> {
    const popup = await this.context.newPage();
    await popup.goto(`chrome-extension://${this.extensionId}/popup.html?tab=${tabId}`);
    await popup.waitForSelector('[data-testid=product], [data-testid=no-product], [data-testid=error]', {
      timeout: 10_000,
    });
    return popup;
  }

  badgeText(tabId: number): Promise<string> {
    return this.worker.evaluate(
      (id) => (globalThis as unknown as { chrome: WorkerChrome }).chrome.action.getBadgeText({ tabId: id }),
      tabId,
    );
  }
}

/** The text of `[data-field=NAME]` in the popup, or null when absent. */
export async function field(popup: Page, name: string): Promise<string | null> {
  const element = await popup.$(`[data-field=${name}]`);
  return element ? element.textContent() : null;
}

/** Polls `probe` until it gives a value (usable in hooks, unlike expect.poll); fails after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
