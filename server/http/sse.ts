import { fastifyRequestHandler, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import {
  getErrorShape,
  getLastEventId,
  getTRPCErrorFromUnknown,
  parseConnectionParamsFromString,
  sseHeaders,
} from '@trpc/server/unstable-core-do-not-import';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { createRequestContext, type InnerContextOptions } from '../trpc/context.ts';
import { shopperTopic } from '../domain/notices.ts';
import type { AppRouter } from '../routers/_app.ts';
import { ShopperEventsInput } from '../routers/events.ts';

/**
 * A lighter SSE writer for `events.shopper`, the subscription every shopper's extension keeps open.
 *
 * Why: tRPC streams each subscription through a chain of async generators, web ReadableStreams, a
 * TransformStream and a TextEncoderStream. With 10,000 open streams that is ~90 KB of heap each, and a deal
 * notifying all its members spent its time in garbage collection and stream plumbing (bench:fanout:
 * p99 5–9 s). Here an open stream is a socket, a bus listener and a timestamp; an event is one write.
 *
 * What clients see is tRPC's own SSE output, byte for byte (the same headers, `connected` event, `data:`
 * and `id:` lines of tracked events, pings after the configured silence, `serialized-error` with the
 * formatted error shape): httpSubscriptionLink cannot tell the difference. Whatever is not the plain
 * case (no shopper, invalid input or connection params, rate limited, a batch) is handed to tRPC's own
 * handler, which answers exactly as before.
 */

const PATH = 'events.shopper';

interface OpenStream {
  raw: ServerResponse;
  lastWrite: number;
}

type TrpcOptions = FastifyTRPCPluginOptions<AppRouter>['trpcOptions'];

export function registerShopperEventStream(
  app: FastifyInstance,
  options: { prefix: string; base: Omit<InnerContextOptions, 'actor' | 'clientKey'>; trpcOptions: TrpcOptions },
): void {
  const { base, trpcOptions } = options;
  const bus = base.bus;
  const config = trpcOptions.router._def._config;
  const pingMs = config.sse?.ping?.enabled ? (config.sse.ping.intervalMs ?? 1000) : Infinity;
  const connected = `event: connected\ndata: ${JSON.stringify(config.sse?.client ?? {})}\n\n\n`;
  // In the order tRPC's response has them (a Headers object: sorted names).
  const headers = Object.fromEntries(
    [['vary', 'trpc-accept, accept'], ...Object.entries(sseHeaders).map(([k, v]) => [k.toLowerCase(), v])].sort(([a], [b]) => (a! < b! ? -1 : 1)),
  ) as Record<string, string>;
  const open = new Set<OpenStream>();

  // One timer for every stream (not one each): a stream silent for the ping interval gets a ping, as
  // tRPC's withPing() does, so proxies keep it and the client's inactivity timer does not fire.
  let pinger: NodeJS.Timeout | null = null;
  if (Number.isFinite(pingMs)) {
    pinger = setInterval(() => {
      const now = Date.now();
      for (const stream of open) {
        if (now - stream.lastWrite >= pingMs) {
          stream.lastWrite = now;
          stream.raw.write('event: ping\ndata: \n\n\n');
        }
      }
    }, Math.min(1000, pingMs));
    pinger.unref();
  }
  app.addHook('onClose', async () => {
    if (pinger) clearInterval(pinger);
  });

  const delegate = (request: FastifyRequest, reply: FastifyReply) => fastifyRequestHandler({ ...trpcOptions, req: request, res: reply, path: PATH });

  // HEAD and other methods stay with tRPC's route.
  app.get(`${options.prefix}/${PATH}`, { exposeHeadRoute: false }, async (request, reply) => {
    const url = new URL(request.url, 'http://localhost');
    let prepared;
    try {
      prepared = await prepare(request, url);
    } catch {
      prepared = null;
    }
    if (!prepared) return delegate(request, reply);
    const { shopperId, lastEventId, ctx, input } = prepared;

    reply.hijack();
    const raw = reply.raw;
    // Headers set by hooks (CORS) first; tRPC's own then replace theirs (`vary` included), as with tRPC.
    const head: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) head[name] = value;
    raw.writeHead(200, Object.assign(head, headers));
    raw.write(connected);
    const stream: OpenStream = { raw, lastWrite: Date.now() };
    open.add(stream);
    const following = bus.follow(shopperTopic(shopperId), { lastEventId }, (event) => {
      stream.lastWrite = Date.now();
      // What tRPC writes for `tracked(String(event.id), event.payload)` (no transformer).
      raw.write(`data: ${JSON.stringify(event.payload)}\nid: ${event.id}\n\n\n`);
    });
    raw.on('close', () => {
      following.stop();
      open.delete(stream);
    });
    following.ready.catch((cause: unknown) => {
      if (raw.writableEnded || raw.destroyed) return;
      const error = getTRPCErrorFromUnknown(cause);
      trpcOptions.onError?.({ error, path: PATH, input, ctx, type: 'subscription', req: request as never });
      const shape = getErrorShape({ config, ctx, error, input, path: PATH, type: 'subscription' });
      raw.end(`event: serialized-error\ndata: ${JSON.stringify(shape)}\n\n\n`);
    });
  });

  /** The plain case only: a valid request from a shopper within its rate; null for anything else. */
  async function prepare(request: FastifyRequest, url: URL) {
    const params = url.searchParams;
    if (params.has('batch')) return null;
    const connectionParamsText = params.get('connectionParams');
    const connectionParams = connectionParamsText === null ? null : parseConnectionParamsFromString(connectionParamsText);
    // As tRPC reads it: the query's input, with Last-Event-ID (header or query) merged in.
    const inputText = params.get('input');
    let input: unknown = inputText ? JSON.parse(inputText) : undefined;
    const lastEventIdHeader = request.headers['last-event-id'];
    const lastEventIdText = getLastEventId({
      headers: new Headers(typeof lastEventIdHeader === 'string' ? { 'last-event-id': lastEventIdHeader } : {}),
      searchParams: params,
    });
    if (lastEventIdText) {
      if (typeof input === 'object' && input !== null && !Array.isArray(input)) input = { ...input, lastEventId: lastEventIdText };
      else input ??= { lastEventId: lastEventIdText };
    }
    const parsed = ShopperEventsInput.safeParse(input);
    if (!parsed.success) return null;
    const ctx = await createRequestContext(base, { authorization: request.headers.authorization, connectionParams, ip: request.ip });
    if (ctx.actor.role !== 'shopper') return null;
    // Last: a refused request is answered by tRPC, whose own check refuses it too.
    if (ctx.rateLimiter && !ctx.rateLimiter.take(ctx.clientKey)) return null;
    const lastEventId = parsed.data.lastEventId ? Number(parsed.data.lastEventId) : undefined;
    return { shopperId: ctx.actor.shopperId, lastEventId, ctx, input };
  }
}
