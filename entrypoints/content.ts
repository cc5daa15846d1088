import { defineContentScript } from 'wxt/utils/define-content-script';
import { detectProduct } from '../core/detection/index.ts';
import { sendMessage } from '../extension/send-message.ts';
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
        // Fails only when the extension was reloaded under the page: nothing to do then.
        sendMessage({ type: 'productDetected', pageUrl, snapshot }).catch(() => undefined);
      },
    });
  },
});
