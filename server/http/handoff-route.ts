import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { authenticate } from '../auth/tokens.ts';
import { bearerToken } from '../trpc/context.ts';
import type { Database } from '../db/schema.ts';
import { handoffCsv, handoffFor } from '../domain/handoff.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * GET /handoff/<dealId>.csv and .json: the confirmed order list of a closed deal, for the supplier whose
 * bid was accepted (its invitation token) or the campaign's organiser (session token), as
 * `Authorization: Bearer <token>`. A download, so the dashboard can offer it as a plain link-with-fetch.
 */
export function registerHandoffRoutes(app: FastifyInstance, db: Kysely<Database>): void {
  app.get<{ Params: { file: string } }>('/handoff/:file', async (request, reply) => {
    const match = /^(.+)\.(csv|json)$/.exec(request.params.file);
    if (!match || !UUID.test(match[1]!)) return reply.code(404).send({ error: 'Expected /handoff/<deal id>.csv or .json' });
    const [, dealId, format] = match as unknown as [string, string, 'csv' | 'json'];
    const actor = await authenticate(db, bearerToken(request.headers.authorization));
    if (actor.role !== 'organiser' && actor.role !== 'supplier') {
      return reply.code(401).send({ error: 'Sign in first: this needs an organiser session or the supplier invitation.' });
    }
    try {
      const handoff = await handoffFor(db, actor, dealId);
      const name = `order-list-${dealId}.${format}`;
      reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store');
      if (format === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(handoff, null, 2));
      return reply.type('text/csv; charset=utf-8').send(handoffCsv(handoff));
    } catch (error) {
      if (error instanceof TRPCError) return reply.code(getHTTPStatusCodeFromError(error)).send({ error: error.message });
      throw error;
    }
  });
}
