import { z } from 'zod';
import { DecimalString } from './snapshot.ts';

/**
 * The bounds of an Intent's figures, checked where they enter: the message from the popup to the background
 * (extension/messages.ts) and the server's API (server/trpc/inputs.ts).
 */

export const MAX_QUANTITY = 10_000;

export const Quantity = z
  .number()
  .int('a quantity is a whole number')
  .min(1, 'a quantity is at least 1')
  .max(MAX_QUANTITY, `a quantity is at most ${MAX_QUANTITY}`);

/** A positive amount as a decimal string ("1299.99"): a maximum price, a tier's unit price. */
export const Price = DecimalString.refine((v) => /[1-9]/.test(v), 'a price must be above zero');
