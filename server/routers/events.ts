import { tracked } from '@trpc/server';
import { z } from 'zod';
import { ownCampaign } from '../domain/campaigns.ts';
import type { ShopperNotice } from '../../core/shopper-deal.ts';
import { campaignTopic, shopperTopic } from '../domain/notices.ts';
import { EventId, Id } from '../trpc/inputs.ts';
import { organiserProcedure, router, shopperProcedure } from '../trpc/procedures.ts';

/** `events.shopper`'s input; server/http/sse.ts validates with the same schema before streaming itself. */
export const ShopperEventsInput = z.object({ lastEventId: EventId.nullish() }).default({});

/**
 * Live events over SSE, each with its event id: a client that reconnects sends the last one and receives
 * what it missed. They come from the event table, so every server process delivers the same events.
 */
export const eventsRouter = router({
  /** This shopper's notices only (their own topic): deals formed, tiers dropped, windows closing, closes, campaigns in their interests. */
  // Over HTTP, server/http/sse.ts streams this one without tRPC's stream layer (same bytes); this definition
  // serves callers, refusals (the writer hands those to tRPC) and the router's type.
  shopper: shopperProcedure
    .input(ShopperEventsInput)
    .subscription(async function* ({ ctx, input, signal }) {
      const lastEventId = input.lastEventId ? Number(input.lastEventId) : undefined;
      for await (const event of ctx.bus.subscribe(shopperTopic(ctx.shopperId), { lastEventId, signal })) {
        yield tracked(String(event.id), event.payload as ShopperNotice);
      }
    }),

  /** One campaign's events for its organiser: bids, formation, commitments (counts), tier drops, window, close. */
  campaign: organiserProcedure
    .input(z.object({ campaignId: Id, lastEventId: EventId.nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      await ownCampaign(ctx.db, ctx.organiserId, input.campaignId);
      const lastEventId = input.lastEventId ? Number(input.lastEventId) : undefined;
      for await (const event of ctx.bus.subscribe(campaignTopic(input.campaignId), { lastEventId, signal })) {
        yield tracked(String(event.id), { type: event.type, payload: event.payload, createdAt: event.createdAt });
      }
    }),
});
