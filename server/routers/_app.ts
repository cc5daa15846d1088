import { router } from '../trpc/procedures.ts';
import { bidsRouter } from './bids.ts';
import { campaignsRouter } from './campaigns.ts';
import { commitmentsRouter } from './commitments.ts';
import { dealsRouter } from './deals.ts';
import { eventsRouter } from './events.ts';
import { identityRouter } from './identity.ts';
import { interestsRouter } from './interests.ts';
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
  // Issue 5: the negotiation.
  campaigns: campaignsRouter,
  bids: bidsRouter,
  deals: dealsRouter,
  commitments: commitmentsRouter,
  interests: interestsRouter,
  events: eventsRouter,
});

export type AppRouter = typeof appRouter;
