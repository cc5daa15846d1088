import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Kysely's view of the tables (server/db/migrations/ creates them). Names are the domain words. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** numeric columns travel as decimal strings: no floating point on money. */
type Decimal = string;
/** bigint columns: both drivers are configured to return numbers (the counts here stay far below 2^53). */
type BigCount = ColumnType<number, number | string | bigint | undefined, number | string | bigint>;

export interface ShopperTable {
  id: Generated<string>;
  token_hash: string;
  share_prices: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface OrganiserTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string;
  created_at: Generated<Date>;
}

export interface OrganiserSessionTable {
  token_hash: string;
  organiser_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface ProductTable {
  id: Generated<string>;
  gtin: string | null;
  brand: string | null;
  brand_key: string | null;
  mpn: string | null;
  mpn_key: string | null;
  name: string;
  name_key: string;
  attr_key: string;
  image: string | null;
  merged_into: string | null;
  /** Issue 5: for interests and the dropout history; null means the default category. */
  category: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ListingTable {
  id: Generated<string>;
  product_id: string;
  retailer: string;
  url: string;
  latest_price: Decimal | null;
  currency: string | null;
  availability: string | null;
  last_seen_at: Generated<Date>;
  created_at: Generated<Date>;
}

export type ObservationSource = 'join' | 'share';
export interface ObservationTable {
  id: Generated<number>;
  listing_id: string;
  price: Decimal;
  currency: string;
  availability: string | null;
  source: ObservationSource;
  seen_at: Generated<Date>;
}

export interface PoolTable {
  id: Generated<string>;
  product_id: string;
  currency: string;
  region: string;
  member_count: Generated<number>;
  total_quantity: BigCount;
  open_members: Generated<number>;
  open_quantity: BigCount;
  merged_into: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PoolPriceLevelTable {
  pool_id: string;
  max_price: Decimal;
  members: number;
  quantity: BigCount;
}

export type IntentStatus = 'live' | 'withdrawn' | 'merged';
export interface IntentTable {
  id: string;
  shopper_id: string;
  product_id: string;
  pool_id: string;
  listing_id: string | null;
  quantity: number;
  max_price: Decimal | null;
  currency: string;
  region: string;
  status: Generated<IntentStatus>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  withdrawn_at: Date | null;
}

export type CampaignStateColumn = 'draft' | 'open' | 'formed' | 'confirming' | 'closed' | 'failed';
export interface CampaignTable {
  id: Generated<string>;
  pool_id: string;
  organiser_id: string;
  state: Generated<CampaignStateColumn>;
  created_at: Generated<Date>;
  // Issue 5 (0002_negotiation):
  target_price: ColumnType<Decimal | null, Decimal | null | undefined, Decimal | null>;
  deadline: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  conditions: ColumnType<string | null, string | null | undefined, string | null>;
  /** "5%" (of the unit price) or "2.50" (an amount per unit). */
  organiser_margin: Generated<string>;
  accepted_bid_id: ColumnType<string | null, string | null | undefined, string | null>;
  confirm_window_seconds: Generated<number>;
  opened_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  updated_at: Generated<Date>;
}

/** A tier as stored in jsonb: the same shape as core/deal.ts's Tier. */
export interface TierJson {
  minQuantity: number;
  unitPrice: string;
}
type TiersColumn = ColumnType<TierJson[], string, string>;

export interface BidTable {
  id: Generated<string>;
  campaign_id: string;
  invitation_id: string;
  tiers: TiersColumn;
  valid_until: Timestamp;
  conditions: string | null;
  revision: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type DealStateColumn = 'confirming' | 'closed' | 'failed';
export interface DealTable {
  id: Generated<string>;
  campaign_id: string;
  bid_id: string;
  pool_id: string;
  category: string;
  currency: string;
  tiers: TiersColumn;
  tier_reached: Generated<number>;
  unit_price: Decimal;
  state: Generated<DealStateColumn>;
  confirm_by: Timestamp;
  closing_at: Timestamp;
  closing_announced: Generated<boolean>;
  confirmed_members: Generated<number>;
  confirmed_quantity: ColumnType<number, number | undefined, number>;
  declined_members: Generated<number>;
  members_at_close: number | null;
  dropped_at_close: number | null;
  formed_at: Generated<Date>;
  closed_at: Date | null;
}

export interface ContactJson {
  name: string;
  email: string;
  address?: string | undefined;
}
export interface CommitmentTable {
  deal_id: string;
  shopper_id: string;
  intent_id: string | null;
  quantity: number;
  decision: 'confirmed' | 'declined';
  contact: ColumnType<ContactJson | null, string | null, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface InterestTable {
  shopper_id: string;
  kind: 'category' | 'keyword';
  value: string;
  created_at: Generated<Date>;
}

export interface SupplierInvitationTable {
  id: Generated<string>;
  campaign_id: string;
  token_hash: string;
  supplier_name: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  revoked_at: Date | null;
}

export interface EventTable {
  id: Generated<number>;
  topic: string;
  type: string;
  payload: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
}

export interface Database {
  shopper: ShopperTable;
  organiser: OrganiserTable;
  organiser_session: OrganiserSessionTable;
  product: ProductTable;
  listing: ListingTable;
  observation: ObservationTable;
  pool: PoolTable;
  pool_price_level: PoolPriceLevelTable;
  intent: IntentTable;
  campaign: CampaignTable;
  supplier_invitation: SupplierInvitationTable;
  bid: BidTable;
  deal: DealTable;
  commitment: CommitmentTable;
  interest: InterestTable;
  event: EventTable;
}

export type Product = Selectable<ProductTable>;
export type NewProduct = Insertable<ProductTable>;
export type ProductUpdate = Updateable<ProductTable>;
export type Listing = Selectable<ListingTable>;
export type Pool = Selectable<PoolTable>;
export type Intent = Selectable<IntentTable>;
export type Campaign = Selectable<CampaignTable>;
export type Bid = Selectable<BidTable>;
export type Deal = Selectable<DealTable>;
export type Commitment = Selectable<CommitmentTable>;
