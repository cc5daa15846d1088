import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  createMessageDispatcher,
  handleMessages,
  sendMessage,
  type Handlers,
  type MessageSender,
} from '../../extension/messages.ts';
import { snapshot } from './snapshots.ts';
import { errorText } from '../../components/format.ts';
import { ProtocolError } from '../../extension/send-message.ts';

const ORIGIN = 'chrome-extension://test-extension-id/';
const fromPage: MessageSender = { tab: { id: 7 } as MessageSender['tab'], frameId: 0, url: 'https://shop.example.fr/p/1' };
const fromPopup: MessageSender = { url: `${ORIGIN}popup.html` };

function handlers(): Handlers {
  const unused = () => {
    throw new Error('not used in these tests');
  };
  return {
    join: unused,
    updateIntent: unused,
    withdrawIntent: unused,
    respondDeal: unused,
    settingsChanged: unused,
    clearHistory: unused,
    syncNow: unused,
    productDetected: vi.fn(async () => ({ recorded: true })),
    refreshProduct: vi.fn(async () => null),
  };
}

describe('message protocol', () => {
  beforeEach(() => fakeBrowser.reset());

  it('dispatches a valid request to its handler', async () => {
    const h = handlers();
    const dispatch = createMessageDispatcher(h, ORIGIN);
    const message = { type: 'productDetected', pageUrl: 'https://shop.example.fr/p/1', snapshot: snapshot() };
    await expect(dispatch(message, fromPage)).resolves.toEqual({ ok: true, value: { recorded: true } });
    expect(h.productDetected).toHaveBeenCalledWith(message, fromPage);
  });

  it.each([
    ['not an object', 'hello'],
    ['null', null],
    ['unknown type', { type: 'deleteEverything' }],
    ['missing field', { type: 'productDetected', pageUrl: 'https://a.example/' }],
    ['extra field', { type: 'refreshProduct', tabId: 1, productUrl: 'https://a.example/p', admin: true }],
    ['negative tab id', { type: 'refreshProduct', tabId: -1, productUrl: 'https://a.example/p' }],
    ['javascript: page address', { type: 'productDetected', pageUrl: 'javascript:alert(1)', snapshot: null }],
    ['price that is not a decimal', { type: 'productDetected', pageUrl: 'https://a.example/', snapshot: snapshot({ price: '12,99' }) }],
    ['currency that is not ISO 4217', { type: 'productDetected', pageUrl: 'https://a.example/', snapshot: snapshot({ currency: '€' }) }],
    ['enormous name', { type: 'productDetected', pageUrl: 'https://a.example/', snapshot: snapshot({ name: 'x'.repeat(100_000) }) }],
    ['image with a javascript: URL', { type: 'productDetected', pageUrl: 'https://a.example/', snapshot: snapshot({ image: 'javascript:alert(1)' }) }],
  ])('rejects a malformed message (%s) with a clear error, without calling a handler', async (_label, message) => {
    const h = handlers();
    const reply = await createMessageDispatcher(h, ORIGIN)(message, fromPage);
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error).toMatch(/^malformed message: /);
    expect(h.productDetected).not.toHaveBeenCalled();
    expect(h.refreshProduct).not.toHaveBeenCalled();
  });

  it('names the offending field in the error', async () => {
    const reply = await createMessageDispatcher(handlers(), ORIGIN)(
      { type: 'productDetected', pageUrl: 'https://a.example/', snapshot: snapshot({ currency: 'euro' }) },
      fromPage,
    );
    expect(!reply.ok && reply.error).toContain('snapshot.currency');
  });

  it('refuses requests from the wrong kind of sender', async () => {
    const h = handlers();
    const dispatch = createMessageDispatcher(h, ORIGIN);
    // A content script (on a hostile page) must not read what the extension knows about other tabs.
    const fromContent = await dispatch({ type: 'refreshProduct', tabId: 3, productUrl: 'https://a.example/p' }, fromPage);
    expect(fromContent).toEqual({ ok: false, error: 'refreshProduct may not be sent from a content-script' });
    const fromExtension = await dispatch({ type: 'productDetected', pageUrl: 'https://a.example/', snapshot: null }, fromPopup);
    expect(fromExtension.ok).toBe(false);
    expect(h.refreshProduct).not.toHaveBeenCalled();
    expect(h.productDetected).not.toHaveBeenCalled();
  });

  it('counts an extension page opened in a tab (as the browser tests do) as an extension page', async () => {
    const h = handlers();
    const popupInTab: MessageSender = { ...fromPopup, tab: { id: 9 } as MessageSender['tab'] };
    const reply = await createMessageDispatcher(h, ORIGIN)({ type: 'refreshProduct', tabId: 3, productUrl: 'https://a.example/p' }, popupInTab);
    expect(reply.ok).toBe(true);
    expect(h.refreshProduct).toHaveBeenCalledOnce();
  });

  it('turns a failing handler into an error reply', async () => {
    const h = handlers();
    h.refreshProduct = async () => {
      throw new Error('storage unavailable');
    };
    const reply = await createMessageDispatcher(h, ORIGIN)({ type: 'refreshProduct', tabId: 1, productUrl: 'https://a.example/p' }, fromPopup);
    expect(reply).toEqual({ ok: false, error: 'storage unavailable', refusal: null });
  });

  it('passes the server’s refusal on with the error, for the page to say it in the shopper’s language', async () => {
    const h = handlers();
    h.refreshProduct = async () => {
      // What a tRPC client error carries when the server refuses.
      throw Object.assign(new Error('You already want this product: change or withdraw your current intent instead.'), {
        data: { code: 'CONFLICT', refusal: { key: 'alreadyWanted', params: {} } },
      });
    };
    const reply = await createMessageDispatcher(h, ORIGIN)({ type: 'refreshProduct', tabId: 1, productUrl: 'https://a.example/p' }, fromPopup);
    expect(reply).toMatchObject({ ok: false, refusal: { key: 'alreadyWanted', params: {} } });
    const error = new ProtocolError('refused', reply.ok ? null : reply.refusal);
    expect(errorText(error, 'fr')).toBe('Vous voulez déjà ce produit : modifiez votre demande actuelle ou retirez-la.');
    expect(errorText(new Error('fetch failed'), 'fr')).toBe('fetch failed');
  });

  it('sendMessage returns the typed response and throws the background error', async () => {
    handleMessages(handlers());
    // The fake browser gives an empty sender, which counts as a content script.
    await expect(
      sendMessage({ type: 'productDetected', pageUrl: 'https://a.example/', snapshot: null }),
    ).resolves.toEqual({ recorded: true });
    await expect(sendMessage({ type: 'refreshProduct', tabId: 1, productUrl: 'https://a.example/p' })).rejects.toThrow(
      'refreshProduct may not be sent from a content-script',
    );
  });

  it('checks the shopper’s requests on arrival: quantities, prices and currencies in range, from extension pages only', async () => {
    const dispatch = createMessageDispatcher(handlers(), ORIGIN);
    const join = (overrides: object) => ({ type: 'join', tabId: 4, productUrl: 'https://shop.example.fr/p/1', quantity: 1, maxPrice: '12.50', currency: 'EUR', ...overrides });
    // The popup names the tab and the product it shows; the snapshot itself stays in the background.
    for (const bad of [{ quantity: 0 }, { quantity: 1.5 }, { quantity: 10_001 }, { maxPrice: '0' }, { maxPrice: '12,50' }, { currency: 'euro' }, { snapshot: snapshot() }, { productUrl: 'javascript:alert(1)' }]) {
      const reply = await dispatch(join(bad), fromPopup);
      expect(reply.ok, JSON.stringify(bad)).toBe(false);
      expect(reply.ok ? '' : reply.error).toMatch(/^malformed message/);
    }
    // Well-formed, but a web page may not join on the shopper's behalf.
    const fromContent = await dispatch(join({}), fromPage);
    expect(fromContent).toEqual({ ok: false, error: 'join may not be sent from a content-script' });
    const confirm = await dispatch({ type: 'respondDeal', dealId: 'd', decision: 'confirm' }, fromPage);
    expect(confirm.ok).toBe(false);
  });
});
