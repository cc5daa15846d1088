import { router } from '../trpc.ts';
import { identityRouter } from './identity.ts';
import { intentsRouter } from './intents.ts';
import { poolsRouter } from './pools.ts';
import { productsRouter } from './products.ts';
import { systemRouter } from './system.ts';

/** Every domain's router. Clients import only the type: `import type { AppRouter } from '.../_app.ts'`. */
export const appRouter = router({
  identity: identityRouter,
  products: productsRouter,
  intents: intentsRouter,
  pools: poolsRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
