import type { DealRow, Decision, NoticeType, TierRow } from './records.ts';

/**
 * The deal procedures the extension calls, as agreed in the deal contract (deals.mine, commitments.respond,
 * interests.set, events.shopper). Written here so the extension's calls are typed by name whether or not the
 * server's AppRouter carries them yet; sync.ts checks each answer's shape before storing it.
 */

export interface DealView extends Omit<DealRow, 'fetchedAt' | 'productImage'> {
  productImage?: string | null;
}

export interface ShopperEvent {
  type: NoticeType;
  dealId?: string | null;
  campaignId: string;
  productName: string;
  unitPrice?: string | null;
  currency?: string | null;
  confirmBy?: string | null;
}

export interface ShareContact {
  name: string;
  email: string;
  address?: string;
}

export interface RespondInput {
  dealId: string;
  decision: Decision;
  shareContact?: ShareContact;
}

export type { TierRow };
