/**
 * schema.org ItemAvailability names (without the `https://schema.org/` prefix). Kept apart from the zod
 * schemas in snapshot.ts so that detection, which runs in the content script, can use the list without
 * bundling zod (the content script must stay small).
 */
export const AVAILABILITIES = [
  'InStock',
  'OutOfStock',
  'PreOrder',
  'BackOrder',
  'LimitedAvailability',
  'InStoreOnly',
  'OnlineOnly',
  'SoldOut',
  'Discontinued',
  'PreSale',
  'MadeToOrder',
  'Reserved',
] as const;
export type Availability = (typeof AVAILABILITIES)[number];
