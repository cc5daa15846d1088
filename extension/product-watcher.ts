import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import type { ProductSnapshot } from '../core/snapshot.ts';

export interface WatchOptions {
  /** Reads the page (detection). */
  detect: () => ProductSnapshot | null;
  /** Reports a result that differs from the last one reported. */
  report: (snapshot: ProductSnapshot | null, pageUrl: string) => void;
  /** Quiet time after DOM changes before detecting again. */
  debounceMs?: number;
  /** Longest wait while the page keeps changing (a carousel must not postpone detection forever). */
  maxWaitMs?: number;
  /** Re-detections allowed per page address after the first one: bounded work on pages that never settle. */
  maxReruns?: number;
}

/**
 * Detects now, then again when the page changes under us: after an in-page navigation (single-page shops
 * swap the product without loading a page) and when the product area renders late. Re-detection is
 * debounced and capped per address, so a page that mutates forever costs a bounded amount of work.
 */
export function watchProduct(ctx: ContentScriptContext, options: WatchOptions): void {
  const { detect, report, debounceMs = 400, maxWaitMs = 2000, maxReruns = 8 } = options;
  let reruns = 0;
  let lastReported: string | undefined;
  let timer: number | undefined;
  let firstChangeAt: number | undefined;

  const run = () => {
    timer = undefined;
    firstChangeAt = undefined;
    if (ctx.isInvalid) return;
    const snapshot = detect();
    const key = JSON.stringify(snapshot) + location.href;
    if (key === lastReported) return;
    lastReported = key;
    report(snapshot, location.href);
  };

  const observer = new MutationObserver(() => schedule());
  // The whole document: shops also swap their JSON-LD in <head>.
  const observe = () =>
    observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });

  const schedule = () => {
    if (reruns >= maxReruns) {
      // Out of re-runs for this address: stop listening until the next in-page navigation.
      observer.disconnect();
      return;
    }
    const now = Date.now();
    firstChangeAt ??= now;
    if (timer !== undefined) clearTimeout(timer);
    const wait = Math.min(debounceMs, Math.max(0, firstChangeAt + maxWaitMs - now));
    timer = ctx.setTimeout(() => {
      reruns += 1;
      run();
    }, wait);
  };

  run();

  // The Navigation API fires before the page swaps its markup, so wait for the DOM to settle.
  ctx.addEventListener(window, 'wxt:locationchange', () => {
    reruns = 0;
    observe();
    schedule();
  });

  observe();
  ctx.onInvalidated(() => observer.disconnect());
}
