import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import type { inferRouterOutputs } from '@trpc/server';
// Type only: no server code reaches the dashboard's bundle.
import type { AppRouter } from '../server/routers/_app.ts';
import { refusalOf, type Refusal } from '../core/i18n/refusals.ts';

/** The dashboard is served by the tRPC server itself: same origin, so relative addresses and no CORS. */
const TRPC_URL = '/trpc';

export type Outputs = inferRouterOutputs<AppRouter>;
export type Client = ReturnType<typeof makeClient>;

/**
 * A tRPC client carrying `token` (an organiser session or a supplier invitation) as a Bearer header; the
 * browser's EventSource cannot send headers, so subscriptions pass it as connection params.
 */
export function makeClient(token: string | null) {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: TRPC_URL, connectionParams: () => (token ? { token } : {}) }),
        false: httpBatchLink({ url: TRPC_URL, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) }),
      }),
    ],
  });
}

export type ErrorKind = 'unreachable' | 'unauthorized' | 'not-found' | 'refused';

export interface Problem {
  kind: ErrorKind;
  /** The server's own sentence, in English (validation errors name the field), when it answered. */
  message: string | null;
  /** Why the server refused, to say in the organiser's language (core/i18n/refusals.ts). */
  refusal?: Refusal | null;
}

/** What went wrong, as the UI needs it: the server unreachable, a session or invitation not accepted, or a refusal with its reason. */
export function problemOf(error: unknown): Problem {
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AppRouter>).data;
    // No tRPC error shape: the request never reached the server (network down, or a proxy's own page).
    if (!data) return { kind: 'unreachable', message: null };
    const refusal = refusalOf(error);
    if (data.code === 'UNAUTHORIZED' || data.code === 'FORBIDDEN') return { kind: 'unauthorized', message: error.message, refusal };
    if (data.code === 'NOT_FOUND') return { kind: 'not-found', message: error.message, refusal };
    return { kind: 'refused', message: error.message, refusal };
  }
  if (error instanceof TypeError) return { kind: 'unreachable', message: null };
  return { kind: 'refused', message: error instanceof Error ? error.message : String(error) };
}

// ---- The organiser's session --------------------------------------------------------------------

const SESSION_KEY = 'group-buy.organiser-session';

export interface Session {
  token: string;
  expiresAt: string;
  displayName: string;
  email: string;
}

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (typeof session.token !== 'string' || new Date(session.expiresAt).getTime() <= Date.now()) return null;
    return session;
  } catch {
    // Storage disabled or a corrupt value: signed out.
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else localStorage.removeItem(SESSION_KEY);
}

/**
 * Downloads the hand-off file of a closed deal. A plain link cannot carry the Bearer header, so the file is
 * fetched and handed to the browser as a blob.
 */
export async function fetchHandoff(token: string, dealId: string, format: 'csv' | 'json'): Promise<Blob> {
  const response = await fetch(`/handoff/${encodeURIComponent(dealId)}.${format}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: string } | null;
    throw new Error(body?.error ?? `HTTP ${response.status}`);
  }
  return response.blob();
}
