import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import { detectProduct } from '../core/detection/index.ts';
import type { RequestOf } from '../extension/messages.ts';
import { watchProduct } from '../extension/product-watcher.ts';

// Reads the product on the page and tells the background. No network access, ever: the only way out is the
// extension's own message channel.
export default defineContentScript({
  matches: ['http://*/*', 'https://*/*'],
  runAt: 'document_idle',
  main(ctx) {
    watchProduct(ctx, {
      detect: () => detectProduct(document, { url: location.href }),
      report: (snapshot, pageUrl) => {
        const request: RequestOf<'productDetected'> = { type: 'productDetected', pageUrl, snapshot };
        // A report needs no answer (sendMessage in extension/send-message.ts reads answers, for the pages). It
        // fails only when the extension was reloaded under the page: nothing to do then.
        browser.runtime.sendMessage(request).catch(() => undefined);
      },
    });
  },
});
