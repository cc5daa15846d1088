import { browser } from 'wxt/browser';
import type { Refusal } from '../core/i18n/refusals.ts';
import type { Reply, RequestOf, RequestType, ResponseOf } from './messages.ts';

// The sending half of the protocol in messages.ts, for the extension's pages and background. Type imports
// only: zod and the schemas run in the background, on arrival. (The content script posts its one report with
// runtime.sendMessage directly: it reads no answer.)

/** The background's error; `data.refusal` when the server refused (shown in the shopper's language). */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  readonly data: { refusal: Refusal | null };
  constructor(message: string, refusal: Refusal | null = null) {
    super(message);
    this.data = { refusal };
  }
}

/** Sends a request to the background and returns its typed response; throws with the background's error. */
export async function sendMessage<T extends RequestType>(request: RequestOf<T>): Promise<ResponseOf<T>> {
  const reply = (await browser.runtime.sendMessage(request)) as Reply<ResponseOf<T>> | undefined;
  if (!reply) throw new ProtocolError(`no reply to ${request.type}`);
  if (!reply.ok) throw new ProtocolError(reply.error, reply.refusal ?? null);
  return reply.value;
}
