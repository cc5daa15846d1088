import { sql, type Kysely } from 'kysely';

/**
 * 2026-11-23, issue 5: the negotiation. Campaign columns, supplier bids, deals (one per campaign, formed
 * exactly once: a unique constraint backs the row lock), commitments, shoppers' interests, and a product
 * category (for interests and the dropout history). Never edit once committed: add the next migration.
 */
const STATEMENTS = [
  // From the snapshot's breadcrumbs later; null means the default category.
  `alter table product add column category text`,

  `alter table campaign
    add column target_price numeric check (target_price > 0),
    add column deadline timestamptz,
    add column conditions text,
    add column organiser_margin text not null default '0%',
    add column accepted_bid_id uuid,
    add column confirm_window_seconds integer not null default 172800 check (confirm_window_seconds between 1 and 2592000),
    add column opened_at timestamptz,
    add column updated_at timestamptz not null default now()`,
  `alter table campaign add constraint campaign_state check
    (state in ('draft', 'open', 'formed', 'confirming', 'closed', 'failed'))`,
  // One campaign at a time per pool: a second organiser negotiating the same pool would split it.
  `create unique index campaign_one_active on campaign (pool_id) where state in ('draft', 'open', 'formed', 'confirming')`,
  `create index campaign_organiser on campaign (organiser_id, created_at desc)`,
  // What the formation check looks up on every pool change.
  `create index campaign_awaiting on campaign (pool_id) where state = 'open' and accepted_bid_id is not null`,

  // One bid per invitation, revised in place (revision counts the changes).
  `create table bid (
    id uuid primary key default gen_random_uuid(),
    campaign_id uuid not null references campaign (id) on delete cascade,
    invitation_id uuid not null unique references supplier_invitation (id) on delete cascade,
    tiers jsonb not null,
    valid_until timestamptz not null,
    conditions text,
    revision integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index bid_campaign on bid (campaign_id)`,
  `alter table campaign add constraint campaign_accepted_bid foreign key (accepted_bid_id) references bid (id)`,

  // The price lives here once (tier_reached, unit_price): every member pays it.
  `create table deal (
    id uuid primary key default gen_random_uuid(),
    campaign_id uuid not null unique references campaign (id),
    bid_id uuid not null references bid (id),
    pool_id uuid not null references pool (id),
    category text not null,
    currency char(3) not null,
    tiers jsonb not null,
    tier_reached integer not null default 0 check (tier_reached >= 0),
    unit_price numeric not null,
    state text not null default 'confirming' check (state in ('confirming', 'closed', 'failed')),
    confirm_by timestamptz not null,
    -- when 'the window closes soon' is announced (once: closing_announced flips in a conditional update)
    closing_at timestamptz not null,
    closing_announced boolean not null default false,
    confirmed_members integer not null default 0 check (confirmed_members >= 0),
    confirmed_quantity bigint not null default 0 check (confirmed_quantity >= 0),
    declined_members integer not null default 0 check (declined_members >= 0),
    members_at_close integer,
    dropped_at_close integer,
    formed_at timestamptz not null default now(),
    closed_at timestamptz
  )`,
  `create index deal_pool on deal (pool_id)`,
  `create index deal_window on deal (confirm_by) where state = 'confirming'`,
  `create index deal_history on deal (category) where state in ('closed', 'failed')`,

  `create table commitment (
    deal_id uuid not null references deal (id) on delete cascade,
    shopper_id uuid not null references shopper (id) on delete cascade,
    intent_id uuid references intent (id),
    quantity integer not null check (quantity between 1 and 10000),
    decision text not null check (decision in ('confirmed', 'declined')),
    contact jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (deal_id, shopper_id),
    check (contact is null or decision = 'confirmed')
  )`,
  `create index commitment_shopper on commitment (shopper_id)`,

  `create table interest (
    shopper_id uuid not null references shopper (id) on delete cascade,
    kind text not null check (kind in ('category', 'keyword')),
    value text not null check (length(value) between 1 and 80),
    created_at timestamptz not null default now(),
    primary key (shopper_id, kind, value)
  )`,
  `create index interest_match on interest (kind, value)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'drop table if exists interest',
    'drop table if exists commitment',
    'drop table if exists deal',
    'alter table campaign drop constraint if exists campaign_accepted_bid',
    'drop table if exists bid',
    'drop index if exists campaign_awaiting',
    'drop index if exists campaign_organiser',
    'drop index if exists campaign_one_active',
    'alter table campaign drop constraint if exists campaign_state',
    `alter table campaign drop column if exists target_price, drop column if exists deadline,
      drop column if exists conditions, drop column if exists organiser_margin, drop column if exists accepted_bid_id,
      drop column if exists confirm_window_seconds, drop column if exists opened_at, drop column if exists updated_at`,
    'alter table product drop column if exists category',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
