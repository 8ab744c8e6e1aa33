// Builds the request for the next interaction from the previous page, the session's user and the
// session's random generator, drawing parameters as RUBiS's emulator does (spec rubis.md,
// "Parameters"): categories and regions uniformly from the lists (through the links of a list page
// when the previous page is one), item and user ids among the links of the previous page, the
// previous page's form fields for the page the form leads to, bid = minimum bid + U{1..10},
// comment ratings from {-5, -3, 0, 3, 5}, new items with initial price U{1..5000}, a reserve price
// 40% of the time, a buy-now price 10% of the time, a duration of 1-7 days.
// Returns null when the previous page lacks what the interaction needs (the caller goes back).

import type { Rng } from '../../core/rng.ts';
import { COMMENT_RATINGS, MAX_ITEM_QUANTITY } from '../db/datagen.ts';
import { interactionPath, type Interaction } from '../interactions.ts';
import { ITEMS_PER_PAGE } from '../web/pages.ts';
import { linksTo, linkValues, type PageInfo } from './page.ts';

export interface SessionUser {
  id: number;
  nickname: string;
  password: string;
}

export interface WorkloadLists {
  /** Number of categories (ids 1..n). */
  categories: number;
  /** Region names, in id order (ids 1..n). */
  regions: string[];
  /** Users in the generated database (ids 1..n), to log in as. */
  users: number;
}

export interface RequestContext {
  page: PageInfo | null;
  user: SessionUser;
  lists: WorkloadLists;
  rng: Rng;
  /** Unique per emulated user and request, for registrations (nicknames must be unique). */
  uniqueTag: string;
}

/** Reconstruction: RUBiS's emulator adds the same random step to the bid and twice to the max bid. */
const BID_STEP_MAX = 10;
const WORD_LIST = 'good fast fair slow great nice item seller price shipping thanks again ok'.split(' ');

function url(to: Interaction, params: Record<string, string | number> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  const s = q.toString();
  return s ? `${interactionPath(to)}?${s}` : interactionPath(to);
}

function pick<T>(rng: Rng, list: readonly T[]): T | undefined {
  return list.length === 0 ? undefined : list[rng.int(list.length)];
}

/** Follows a random link of the previous page that leads to `to`, if there is one. */
function follow(ctx: RequestContext, to: Interaction): string | null {
  const l = pick(ctx.rng, linksTo(ctx.page, to));
  return l ? url(to, Object.fromEntries(l.params)) : null;
}

const between = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

function credentials(ctx: RequestContext): Record<string, string> {
  return { nickname: ctx.user.nickname, password: ctx.user.password };
}

/** The previous page's form fields when its form leads to `to`. */
function formFields(ctx: RequestContext, to: Interaction): Record<string, string> | null {
  if (!ctx.page || ctx.page.formAction !== to) return null;
  return Object.fromEntries(ctx.page.hidden);
}

/** An item id among the previous page's links (or its form's hidden item id). */
function itemFromLinks(ctx: RequestContext): string | undefined {
  const ids = linkValues(ctx.page, 'itemId');
  const hidden = ctx.page?.hidden.get('itemId');
  if (hidden) ids.push(hidden);
  return pick(ctx.rng, ids);
}

function words(rng: Rng, n: number): string {
  return Array.from({ length: n }, () => WORD_LIST[rng.int(WORD_LIST.length)]).join(' ');
}

export function buildRequest(to: Interaction, ctx: RequestContext): string | null {
  const { rng, lists } = ctx;
  switch (to) {
    case 'Home':
    case 'Register':
    case 'Browse':
    case 'BrowseCategories':
    case 'BrowseRegions':
    case 'Sell':
    case 'AboutMeAuth':
      return url(to);

    case 'RegisterUser': {
      const tag = ctx.uniqueTag;
      return url(to, {
        firstname: `Great${tag}`,
        lastname: `User${tag}`,
        nickname: `user-${tag}`,
        email: `Great${tag}.User${tag}@rubis.com`,
        password: `password-${tag}`,
        region: lists.regions[rng.int(lists.regions.length)] ?? '',
      });
    }

    case 'SearchItemsInCategory':
      return (
        follow(ctx, to) ??
        url(to, { category: 1 + rng.int(lists.categories), page: 0, nbOfItems: ITEMS_PER_PAGE })
      );

    case 'BrowseCategoriesInRegion':
      return follow(ctx, to) ?? url(to, { region: 1 + rng.int(lists.regions.length) });

    case 'SearchItemsInRegion':
      return (
        follow(ctx, to) ??
        url(to, {
          category: 1 + rng.int(lists.categories),
          region: 1 + rng.int(lists.regions.length),
          page: 0,
          nbOfItems: ITEMS_PER_PAGE,
        })
      );

    case 'ViewItem':
    case 'ViewBidHistory':
    case 'BuyNowAuth':
    case 'PutBidAuth': {
      const linked = follow(ctx, to);
      if (linked) return linked;
      const itemId = itemFromLinks(ctx);
      return itemId ? url(to, { itemId }) : null;
    }

    case 'ViewUserInfo': {
      const linked = follow(ctx, to);
      if (linked) return linked;
      const userId = pick(rng, linkValues(ctx.page, 'userId'));
      return userId ? url(to, { userId }) : null;
    }

    case 'PutCommentAuth': {
      const linked = follow(ctx, to);
      if (linked) return linked;
      const userId = pick(rng, [...linkValues(ctx.page, 'userId'), ...linkValues(ctx.page, 'to')]);
      const itemId = itemFromLinks(ctx);
      return userId && itemId ? url(to, { to: userId, itemId }) : null;
    }

    case 'BuyNow':
    case 'PutBid': {
      const fields = formFields(ctx, to);
      const itemId = fields?.itemId ?? itemFromLinks(ctx);
      return itemId ? url(to, { itemId, ...credentials(ctx) }) : null;
    }

    case 'PutComment': {
      // From its login form, or (the bidding table goes there from ViewItem and PutBid too) from
      // the seller and item the previous page links to.
      const fields = formFields(ctx, to);
      const userTo =
        fields?.to ?? pick(rng, [...linkValues(ctx.page, 'to'), ...linkValues(ctx.page, 'userId')]);
      const itemId = fields?.itemId ?? itemFromLinks(ctx);
      return userTo && itemId ? url(to, { to: userTo, itemId, ...credentials(ctx) }) : null;
    }

    case 'SelectCategoryToSellItem':
    case 'AboutMe':
      return url(to, credentials(ctx));

    case 'StoreBuyNow': {
      const f = formFields(ctx, to);
      if (!f?.itemId || !f.userId) return null;
      const maxQty = Math.max(1, Number(f.maxQty) || 1);
      return url(to, { itemId: f.itemId, userId: f.userId, maxQty, qty: between(rng, 1, maxQty) });
    }

    case 'StoreBid': {
      const f = formFields(ctx, to);
      if (!f?.itemId || !f.userId || !f.minBid) return null;
      const minBid = Number(f.minBid);
      const step = between(rng, 1, BID_STEP_MAX);
      const maxQty = Math.max(1, Number(f.maxQty) || 1);
      return url(to, {
        itemId: f.itemId,
        userId: f.userId,
        minBid: f.minBid,
        bid: (minBid + step).toFixed(2),
        maxBid: (minBid + 2 * step).toFixed(2),
        maxQty,
        qty: between(rng, 1, maxQty),
      });
    }

    case 'StoreComment': {
      const f = formFields(ctx, to);
      if (!f?.from || !f.to || !f.itemId) return null;
      return url(to, {
        from: f.from,
        to: f.to,
        itemId: f.itemId,
        rating: COMMENT_RATINGS[rng.int(COMMENT_RATINGS.length)]!,
        comment: words(rng, between(rng, 3, 20)),
      });
    }

    case 'SellItemForm': {
      const linked = follow(ctx, to);
      return linked ?? url(to, { category: 1 + rng.int(lists.categories), user: ctx.user.id });
    }

    case 'RegisterItem': {
      const f = formFields(ctx, to);
      if (!f?.category || !f.userId) return null;
      const initial = between(rng, 1, 5000);
      const reserve = rng.next() < 0.4 ? initial + between(rng, 1, 1000) : 0;
      const buyNow = rng.next() < 0.1 ? Math.max(initial, reserve) + between(rng, 1, 1000) : 0;
      return url(to, {
        category: f.category,
        userId: f.userId,
        name: `RUBiS emulated item ${ctx.uniqueTag}`,
        description: words(rng, between(rng, 8, 40)),
        initialPrice: initial,
        reservePrice: reserve,
        buyNow,
        duration: between(rng, 1, 7),
        quantity: between(rng, 1, MAX_ITEM_QUANTITY),
      });
    }
  }
}
