// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { watchProduct } from '../../extension/product-watcher.ts';
import { snapshot } from './snapshots.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchProduct (content script)', () => {
  let ctx: ContentScriptContext;
  afterEach(() => {
    ctx.notifyInvalidated();
    document.body.innerHTML = '';
  });

  it('detects at once, then again when the page changes, reporting only what changed', async () => {
    ctx = new ContentScriptContext('test');
    let current: ReturnType<typeof snapshot> | null = null;
    const report = vi.fn();
    watchProduct(ctx, { detect: () => current, report, debounceMs: 20, maxWaitMs: 100 });
    expect(report).toHaveBeenCalledTimes(1);
    expect(report).toHaveBeenLastCalledWith(null, location.href);

    // The product renders late.
    current = snapshot();
    document.body.append(document.createElement('h1'));
    await sleep(80);
    expect(report).toHaveBeenCalledTimes(2);
    expect(report).toHaveBeenLastCalledWith(current, location.href);

    // A change that does not change the product is not reported again.
    document.body.append(document.createElement('p'));
    await sleep(80);
    expect(report).toHaveBeenCalledTimes(2);
  });

  it('bounds the work on a page that never stops changing', async () => {
    ctx = new ContentScriptContext('test');
    const detect = vi.fn(() => null);
    watchProduct(ctx, { detect, report: () => undefined, debounceMs: 10, maxWaitMs: 30, maxReruns: 3 });
    for (let i = 0; i < 60; i++) {
      document.body.append(document.createElement('div'));
      await sleep(5);
    }
    await sleep(50);
    expect(detect).toHaveBeenCalledTimes(1 + 3);
  });

  it('stops when the content script is invalidated (extension updated or reloaded)', async () => {
    ctx = new ContentScriptContext('test');
    const detect = vi.fn(() => null);
    watchProduct(ctx, { detect, report: () => undefined, debounceMs: 10 });
    ctx.notifyInvalidated();
    document.body.append(document.createElement('div'));
    await sleep(40);
    expect(detect).toHaveBeenCalledTimes(1);
  });
});
