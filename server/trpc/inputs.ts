import { z } from 'zod';
import { CurrencyCode } from '../../core/snapshot.ts';

/** Bounded inputs shared by the routers: every string has a length, every number a range. */

export const Id = z.uuid({ error: 'expected a UUID' });
export const Currency = CurrencyCode;
export const Region = z
  .string()
  .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'expected an ISO 3166 region such as FR or FR-75');
export { Price, Quantity } from '../../core/intent.ts';
export const Limit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);
export const Email = z.email({ error: 'expected an e-mail address' }).max(254);
export const Password = z
  .string()
  .min(10, 'a password has at least 10 characters')
  .max(200, 'a password has at most 200 characters');
/** Event ids travel as strings in SSE (tracked ids, Last-Event-ID). */
export const EventId = z.string().regex(/^\d{1,18}$/, 'expected an event id');
