import { sql, type Kysely } from 'kysely';

/**
 * 2026-11-23, issue 3: identity (shopper, organiser + sessions, supplier invitations), products and
 * their listings, observations, intents, pools (aggregates maintained on write) and the event log.
 * `campaign` is only the minimum a supplier invitation needs; the negotiation issue adds its columns.
 * Never edit a migration once committed: add the next one.
 */
const STATEMENTS = [
  `create table shopper (
    id uuid primary key default gen_random_uuid(),
    token_hash text not null unique,
    share_prices boolean not null default false,
    created_at timestamptz not null default now()
  )`,
  `create table organiser (
    id uuid primary key default gen_random_uuid(),
    email text not null unique check (email = lower(email)),
    display_name text not null,
    password_hash text not null,
    created_at timestamptz not null default now()
  )`,
  `create table organiser_session (
    token_hash text primary key,
    organiser_id uuid not null references organiser (id) on delete cascade,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
  )`,
  `create index organiser_session_organiser on organiser_session (organiser_id)`,

  `create table product (
    id uuid primary key default gen_random_uuid(),
    gtin char(14),
    brand text,
    brand_key text,
    mpn text,
    mpn_key text,
    name text not null,
    name_key text not null,
    attr_key text not null,
    image text,
    merged_into uuid references product (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  // One live product per GTIN; merged products keep theirs so old references still resolve.
  `create unique index product_gtin on product (gtin) where gtin is not null and merged_into is null`,
  `create index product_brand_mpn on product (brand_key, mpn_key) where merged_into is null and mpn_key is not null`,
  `create index product_brand_attr on product (brand_key, attr_key) where merged_into is null`,

  `create table listing (
    id uuid primary key default gen_random_uuid(),
    product_id uuid not null references product (id),
    retailer text not null,
    url text not null,
    latest_price numeric,
    currency char(3),
    availability text,
    last_seen_at timestamptz not null default now(),
    created_at timestamptz not null default now(),
    unique (product_id, retailer)
  )`,

  `create table observation (
    id bigint generated always as identity primary key,
    listing_id uuid not null references listing (id) on delete cascade,
    price numeric not null check (price >= 0),
    currency char(3) not null,
    availability text,
    source text not null check (source in ('join', 'share')),
    seen_at timestamptz not null default now()
  )`,
  `create index observation_listing_seen on observation (listing_id, seen_at desc)`,

  `create table pool (
    id uuid primary key default gen_random_uuid(),
    product_id uuid not null references product (id),
    currency char(3) not null,
    region text not null,
    member_count integer not null default 0 check (member_count >= 0),
    total_quantity bigint not null default 0 check (total_quantity >= 0),
    -- members without a max price: they count at every price of the demand curve
    open_members integer not null default 0 check (open_members >= 0),
    open_quantity bigint not null default 0 check (open_quantity >= 0),
    merged_into uuid references pool (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (product_id, currency, region)
  )`,
  `create index pool_ranking on pool (total_quantity desc) where merged_into is null`,
  // Live intents with a max price, grouped by that price: the demand curve and quartiles are read from
  // here, so reading them costs the number of distinct prices, not the number of intents.
  `create table pool_price_level (
    pool_id uuid not null references pool (id) on delete cascade,
    max_price numeric not null,
    members integer not null check (members >= 0),
    quantity bigint not null check (quantity >= 0),
    primary key (pool_id, max_price)
  )`,

  `create table intent (
    id uuid primary key,
    shopper_id uuid not null references shopper (id) on delete cascade,
    product_id uuid not null references product (id),
    pool_id uuid not null references pool (id),
    listing_id uuid references listing (id),
    quantity integer not null check (quantity between 1 and 10000),
    max_price numeric check (max_price > 0),
    currency char(3) not null,
    region text not null,
    status text not null default 'live' check (status in ('live', 'withdrawn', 'merged')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    withdrawn_at timestamptz
  )`,
  `create unique index intent_one_live on intent (shopper_id, product_id) where status = 'live'`,
  `create index intent_pool_live on intent (pool_id) where status = 'live'`,
  `create index intent_shopper on intent (shopper_id, updated_at desc)`,

  `create table campaign (
    id uuid primary key default gen_random_uuid(),
    pool_id uuid not null references pool (id),
    organiser_id uuid not null references organiser (id),
    state text not null default 'draft',
    created_at timestamptz not null default now()
  )`,
  `create table supplier_invitation (
    id uuid primary key default gen_random_uuid(),
    campaign_id uuid not null references campaign (id) on delete cascade,
    token_hash text not null unique,
    supplier_name text not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    revoked_at timestamptz
  )`,

  // The event log: every process appends here and announces with NOTIFY; subscribers resume by id.
  `create table event (
    id bigint generated always as identity primary key,
    topic text not null,
    type text not null,
    payload jsonb not null,
    created_at timestamptz not null default now()
  )`,
  `create index event_topic on event (topic, id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'event',
    'supplier_invitation',
    'campaign',
    'intent',
    'pool_price_level',
    'pool',
    'observation',
    'listing',
    'product',
    'organiser_session',
    'organiser',
    'shopper',
  ]) {
    await sql.raw(`drop table if exists ${table} cascade`).execute(db);
  }
}
