// The 27 RUBiS interactions (page states) in the order of the transition tables' rows and columns
// (../shared/spec/rubis.md), with the web tier's path for each and which ones write to the database.

export const INTERACTIONS = [
  'Home',
  'Register',
  'RegisterUser',
  'Browse',
  'BrowseCategories',
  'SearchItemsInCategory',
  'BrowseRegions',
  'BrowseCategoriesInRegion',
  'SearchItemsInRegion',
  'ViewItem',
  'ViewUserInfo',
  'ViewBidHistory',
  'BuyNowAuth',
  'BuyNow',
  'StoreBuyNow',
  'PutBidAuth',
  'PutBid',
  'StoreBid',
  'PutCommentAuth',
  'PutComment',
  'StoreComment',
  'Sell',
  'SelectCategoryToSellItem',
  'SellItemForm',
  'RegisterItem',
  'AboutMeAuth',
  'AboutMe',
] as const;

export type Interaction = (typeof INTERACTIONS)[number];

export const INTERACTION_COUNT = INTERACTIONS.length; // 27

/** Index of an interaction in table order. */
export const INTERACTION_INDEX: Readonly<Record<Interaction, number>> = Object.fromEntries(
  INTERACTIONS.map((name, i) => [name, i]),
) as Record<Interaction, number>;

/** Pages that insert or update rows (the bidding mix's "write" share). */
export const WRITE_INTERACTIONS: ReadonlySet<Interaction> = new Set([
  'RegisterUser',
  'StoreBuyNow',
  'StoreBid',
  'StoreComment',
  'RegisterItem',
]);

/** URL path of an interaction on the web tier. */
export function interactionPath(name: Interaction): string {
  return name === 'Home' ? '/' : `/${name}`;
}

export function isInteraction(name: string): name is Interaction {
  return Object.prototype.hasOwnProperty.call(INTERACTION_INDEX, name);
}
