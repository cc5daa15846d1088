import { publicProcedure, router } from '../trpc/procedures.ts';

export const systemRouter = router({
  /** Trivial and database-free: liveness for clients, and the benchmark's ceiling for this server's stack. */
  ping: publicProcedure.query(() => ({ ok: true as const })),
});
