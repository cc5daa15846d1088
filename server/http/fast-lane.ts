import { fastifyRequestHandler, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { getErrorShape, getTRPCErrorFromUnknown } from '@trpc/server/unstable-core-do-not-import';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { createRequestContext, type Context, type InnerContextOptions } from '../trpc/context.ts';
import type { AppRouter } from '../routers/_app.ts';
import { createCallerFactory } from '../trpc/procedures.ts';

/**
 * A lighter HTTP path for `intents.register`, every shopper's "I want this" and the server's busiest call.
 *
 * Why: tRPC's HTTP adapter turns each request into a web Request (headers, an AbortController, a body
 * stream) and its answer into a web Response streamed back; for a small mutation that is more than half of
 * the server's CPU per call (bench:server: 0.52 ms of server CPU per registration through the adapter, 0.23
 * ms here). Here the parsed body goes straight to the same procedure through a tRPC caller: the same
 * middleware (rate, role), the same input validation, the same error formatter.
 *
 * What clients see is tRPC's own answer: the same JSON for a single call (`{"result":{"data":…}}`) and for a
 * batch of one (`?batch=1`, `[…]`), the same error shapes and HTTP statuses. Whatever is not the plain case
 * (a body that is not a JSON object, a batch of several calls, a streaming client) is handed to tRPC's own
 * handler, which answers exactly as before.
 */

const PATH = 'intents.register';

type TrpcOptions = FastifyTRPCPluginOptions<AppRouter>['trpcOptions'];

export async function registerFastLane(
  app: FastifyInstance,
  options: { prefix: string; base: Omit<InnerContextOptions, 'actor' | 'clientKey'>; trpcOptions: TrpcOptions },
): Promise<void> {
  const { base, trpcOptions } = options;
  const router = trpcOptions.router;
  const caller = createCallerFactory(router);
  const delegate = (request: FastifyRequest, reply: FastifyReply) => fastifyRequestHandler({ ...trpcOptions, req: request, res: reply, path: PATH });

  await app.register(async (scope) => {
    // As in tRPC's plugin: the body as text, parsed here, so a malformed one reaches tRPC's handler intact.
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    scope.post(`${options.prefix}/${PATH}`, async (request, reply) => {
      const call = plainCall(request);
      if (!call) return delegate(request, reply);
      let ctx: Context | undefined;
      try {
        ctx = await createRequestContext(base, { authorization: request.headers.authorization, connectionParams: null, ip: request.ip });
        const data = await caller(ctx).intents.register(call.input as never);
        const result = { result: { data } };
        answer(reply, 200, JSON.stringify(call.batch ? [result] : result));
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        trpcOptions.onError?.({ error, path: PATH, input: call.input, ctx, type: 'mutation', req: request as never });
        const shape = getErrorShape({ config: router._def._config, ctx, error, input: call.input, path: PATH, type: 'mutation' });
        const body = { error: shape };
        answer(reply, getHTTPStatusCodeFromError(error), JSON.stringify(call.batch ? [body] : body));
      }
    });
  });
}

/** Writes the answer with tRPC's headers, after those set by hooks (CORS), as sse.ts does. */
function answer(reply: FastifyReply, status: number, body: string): void {
  reply.hijack();
  const head: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) head[name] = value;
  reply.raw.writeHead(status, Object.assign(head, { 'content-type': 'application/json', vary: 'trpc-accept, accept' }));
  reply.raw.end(body);
}

/** The call's input when the request is the plain case (a JSON body, one call); null for anything else. */
export function plainCall(request: Pick<FastifyRequest, 'query' | 'body' | 'headers'>): { input: unknown; batch: boolean } | null {
  const query = request.query as Record<string, unknown>;
  const keys = Object.keys(query);
  // As tRPC reads it: a batch only when batch=1 (any other query goes to tRPC's handler).
  const batch = query.batch === '1';
  if (keys.length > (batch ? 1 : 0)) return null;
  if (typeof request.body !== 'string' || !request.headers['content-type']?.startsWith('application/json')) return null;
  // A streaming client (httpBatchStreamLink asks for JSON lines) gets tRPC's streamed answer.
  if (request.headers['trpc-accept'] !== undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    return null;
  }
  if (!batch) return typeof parsed === 'object' && parsed !== null ? { input: parsed, batch } : null;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const calls = Object.keys(parsed);
  return calls.length === 1 && calls[0] === '0' ? { input: (parsed as Record<string, unknown>)['0'], batch } : null;
}
