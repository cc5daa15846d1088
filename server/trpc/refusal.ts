import { TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { refusalText, type Refusal, type RefusalKey } from '../../core/i18n/refusals.ts';

/** Carries a refusal's key to the error formatter (server/trpc/procedures.ts), which sends it as `data.refusal`. */
export class RefusalCause extends Error {
  override name = 'RefusalCause';
  constructor(
    readonly refusal: Refusal,
    options?: { cause?: unknown },
  ) {
    super(refusalText(refusal, 'en'), options);
  }
}

/**
 * The error to throw when the server refuses a call: the tRPC code, the English sentence as the message,
 * and the key with which clients show it in their user's language (core/i18n/refusals.ts). `cause`: the
 * error behind it, for the logs.
 */
export function refuse(code: TRPC_ERROR_CODE_KEY, key: RefusalKey, params: Record<string, string> = {}, cause?: unknown): TRPCError {
  const reason = new RefusalCause({ key, params }, { cause });
  return new TRPCError({ code, message: reason.message, cause: reason });
}
