// The 27 RUBiS interactions as server-rendered pages. Each does the database work of the original
// page (RUBiS's PHP version): the same lookups, searches with paging, joins and writes, through the
// statement catalogue (db/statements.ts). Pages link to what a user can do next (item, user, paging
// and form links), which is where the client emulator picks its next parameters from, as RUBiS's
// emulator parsed the previous page.

import { INTERACTIONS, type Interaction } from '../interactions.ts';
import type { Executor, Row, SqlValue } from '../db/types.ts';
import { sqlDate } from '../db/types.ts';
import { esc, form, hidden, input, link, money, page, sorry, table } from './html.ts';

export const ITEMS_PER_PAGE = 25;
export const MAX_ITEMS_PER_PAGE = 100;
const DAY_MS = 86_400_000;
/** AboutMe lists items won, bought and sold in the last 30 days, as RUBiS does. */
const RECENT_MS = 30 * DAY_MS;

export interface PageContext {
  params: URLSearchParams;
  db: Executor;
  /** The web tier's clock (epoch ms), passed to every date comparison. */
  now: number;
}

export interface PageResult {
  status: number;
  html: string;
}

/** A request parameter is missing or malformed: HTTP 400 with one line saying which. */
export class BadRequest extends Error {}

function str(p: URLSearchParams, name: string, maxLength = 1000): string {
  const v = p.get(name);
  if (v === null || v.trim() === '') throw new BadRequest(`missing parameter "${name}"`);
  if (v.length > maxLength) throw new BadRequest(`parameter "${name}" is longer than ${maxLength}`);
  return v.trim();
}

function optStr(p: URLSearchParams, name: string, fallback = '', maxLength = 5000): string {
  const v = p.get(name);
  if (v === null) return fallback;
  if (v.length > maxLength) throw new BadRequest(`parameter "${name}" is longer than ${maxLength}`);
  return v.trim();
}

function int(
  p: URLSearchParams,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  fallback?: number,
): number {
  const raw = p.get(name);
  if ((raw === null || raw === '') && fallback !== undefined) return fallback;
  const v = Number(raw);
  if (raw === null || raw.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
    throw new BadRequest(`parameter "${name}" must be an integer in [${min}, ${max}], got "${raw ?? ''}"`);
  }
  return v;
}

function num(p: URLSearchParams, name: string, min: number, fallback?: number): number {
  const raw = p.get(name);
  if ((raw === null || raw === '') && fallback !== undefined) return fallback;
  const v = Number(raw);
  if (raw === null || raw.trim() === '' || !Number.isFinite(v) || v < min) {
    throw new BadRequest(`parameter "${name}" must be a number >= ${min}, got "${raw ?? ''}"`);
  }
  return v;
}

const ok = (title: string, body: string): PageResult => ({ status: 200, html: page(title, body) });

async function first(
  db: Executor,
  name: Parameters<Executor['query']>[0],
  params: SqlValue[],
): Promise<Row | undefined> {
  return (await db.query(name, params))[0];
}

/** Authenticates a nickname/password pair; null when they match no user. */
async function authenticate(ctx: PageContext): Promise<number | null> {
  const row = await first(ctx.db, 'auth', [
    str(ctx.params, 'nickname', 100),
    str(ctx.params, 'password', 100),
  ]);
  return row ? Number(row.id) : null;
}

const NOT_A_USER = 'you are not a registered user, or your password is wrong.';

/** An item, open or closed (RUBiS looks in items, then in old_items). */
async function findItem(db: Executor, id: number): Promise<{ item: Row; open: boolean } | null> {
  const open = await first(db, 'itemById', [id]);
  if (open) return { item: open, open: true };
  const old = await first(db, 'oldItemById', [id]);
  return old ? { item: old, open: false } : null;
}

function itemList(rows: Row[]): string {
  return table(
    ['Item', 'Price', 'Bids', 'Ends'],
    rows.map((r) => [
      link('ViewItem', r.name, { itemId: Number(r.id) }),
      money(Number(r.max_bid) > 0 ? r.max_bid : r.initial_price),
      esc(r.nb_of_bids),
      esc(r.end_date),
    ]),
  );
}

function loginForm(to: Interaction, extra: Record<string, string | number>, title: string): PageResult {
  return ok(
    title,
    form(
      to,
      [
        ...Object.entries(extra).map(([k, v]) => hidden(k, v)),
        input('nickname', 'Nickname'),
        input('password', 'Password', '', 'password'),
      ],
      'Log in',
    ),
  );
}

function pagingLinks(
  to: Interaction,
  base: Record<string, string | number>,
  pageNo: number,
  n: number,
  full: boolean,
): string {
  const links: string[] = [];
  if (pageNo > 0) links.push(link(to, 'Previous page', { ...base, page: pageNo - 1, nbOfItems: n }));
  if (full) links.push(link(to, 'Next page', { ...base, page: pageNo + 1, nbOfItems: n }));
  return links.length ? `<p>${links.join(' | ')}</p>` : '';
}

async function commentsAbout(db: Executor, userId: number): Promise<string> {
  const comments = await db.query('commentsToUser', [userId]);
  if (comments.length === 0) return '<p>There are no comments for this user.</p>';
  return table(
    ['From', 'Date', 'Rating', 'Comment'],
    comments.map((c) => [
      link('ViewUserInfo', c.nickname, { userId: Number(c.from_user_id) }),
      esc(c.date),
      esc(c.rating),
      esc(c.comment),
    ]),
  );
}

type Handler = (ctx: PageContext) => Promise<PageResult>;

export const PAGES: Record<Interaction, Handler> = {
  Home: async () =>
    ok(
      'Welcome to RUBiS',
      `<p>An auction site for benchmarking: ${link('Browse', 'browse')} the items on sale, ` +
        `${link('Sell', 'sell')} an item, or see ${link('AboutMeAuth', 'your account')}.</p>`,
    ),

  Register: async ({ db }) => {
    const regions = await db.query('regions', []);
    const options = regions.map((r) => `<option value="${esc(r.name)}">${esc(r.name)}</option>`).join('');
    return ok(
      'Register',
      form(
        'RegisterUser',
        [
          input('firstname', 'First name'),
          input('lastname', 'Last name'),
          input('nickname', 'Nickname'),
          input('email', 'E-mail'),
          input('password', 'Password', '', 'password'),
          `<label>Region <select name="region">${options}</select></label><br>`,
        ],
        'Register now',
      ),
    );
  },

  RegisterUser: async ({ params, db, now }) => {
    const firstname = str(params, 'firstname', 100);
    const lastname = str(params, 'lastname', 100);
    const nickname = str(params, 'nickname', 100);
    const email = str(params, 'email', 100);
    const password = str(params, 'password', 100);
    const regionName = str(params, 'region', 100);
    const region = await first(db, 'regionByName', [regionName]);
    if (!region) return ok('Register', sorry(`region "${regionName}" does not exist.`));
    if (await first(db, 'userByNickname', [nickname])) {
      return ok('Register', sorry(`the nickname "${nickname}" is already taken.`));
    }
    let userId: number;
    try {
      userId = (
        await db.run('insertUser', [
          firstname,
          lastname,
          nickname,
          password,
          email,
          sqlDate(now),
          Number(region.id),
        ])
      ).insertId;
    } catch (err) {
      if ((err as { code?: string }).code === 'duplicate') {
        return ok('Register', sorry(`the nickname "${nickname}" is already taken.`));
      }
      throw err;
    }
    return ok(
      'Registration done',
      `<p>Welcome, ${esc(nickname)}: your account has been created.</p>` +
        table(
          ['Id', 'Name', 'E-mail', 'Region'],
          [
            [
              link('ViewUserInfo', userId, { userId }),
              esc(`${firstname} ${lastname}`),
              esc(email),
              esc(region.name),
            ],
          ],
        ),
    );
  },

  Browse: async () =>
    ok(
      'Browse',
      `<ul><li>${link('BrowseCategories', 'Browse all categories')}</li><li>${link('BrowseRegions', 'Browse by region')}</li></ul>`,
    ),

  BrowseCategories: async ({ db }) => {
    const cats = await db.query('categories', []);
    if (cats.length === 0) return ok('Categories', sorry('there is no category.'));
    return ok(
      'Categories',
      `<ul>${cats.map((c) => `<li>${link('SearchItemsInCategory', c.name, { category: Number(c.id), categoryName: String(c.name) })}</li>`).join('\n')}</ul>`,
    );
  },

  SearchItemsInCategory: async ({ params, db, now }) => {
    const category = int(params, 'category', 1);
    const categoryName = optStr(params, 'categoryName', `category ${category}`, 200);
    const pageNo = int(params, 'page', 0, 1_000_000, 0);
    const n = int(params, 'nbOfItems', 1, MAX_ITEMS_PER_PAGE, ITEMS_PER_PAGE);
    const rows = await db.query('searchItemsInCategory', [category, sqlDate(now), pageNo * n, n]);
    const title = `Items in ${categoryName}`;
    if (rows.length === 0) {
      return ok(
        title,
        sorry(
          pageNo === 0 ? 'there are no items in this category.' : 'there are no more items in this category.',
        ),
      );
    }
    return ok(
      title,
      itemList(rows) +
        pagingLinks('SearchItemsInCategory', { category, categoryName }, pageNo, n, rows.length === n),
    );
  },

  BrowseRegions: async ({ db }) => {
    const regions = await db.query('regions', []);
    if (regions.length === 0) return ok('Regions', sorry('there is no region.'));
    return ok(
      'Regions',
      `<ul>${regions.map((r) => `<li>${link('BrowseCategoriesInRegion', r.name, { region: Number(r.id) })}</li>`).join('\n')}</ul>`,
    );
  },

  BrowseCategoriesInRegion: async ({ params, db }) => {
    const regionId = int(params, 'region', 1);
    const region = await first(db, 'regionById', [regionId]);
    if (!region) return ok('Categories', sorry(`region ${regionId} does not exist.`));
    const cats = await db.query('categories', []);
    return ok(
      `Categories in ${String(region.name)}`,
      `<ul>${cats
        .map(
          (c) =>
            `<li>${link('SearchItemsInRegion', c.name, { category: Number(c.id), categoryName: String(c.name), region: regionId })}</li>`,
        )
        .join('\n')}</ul>`,
    );
  },

  SearchItemsInRegion: async ({ params, db, now }) => {
    const category = int(params, 'category', 1);
    const region = int(params, 'region', 1);
    const categoryName = optStr(params, 'categoryName', `category ${category}`, 200);
    const pageNo = int(params, 'page', 0, 1_000_000, 0);
    const n = int(params, 'nbOfItems', 1, MAX_ITEMS_PER_PAGE, ITEMS_PER_PAGE);
    const rows = await db.query('searchItemsInRegion', [category, region, sqlDate(now), pageNo * n, n]);
    const title = `Items in ${categoryName}, region ${region}`;
    if (rows.length === 0) {
      return ok(
        title,
        sorry(
          pageNo === 0 ? 'there are no items in this category and region.' : 'there are no more items here.',
        ),
      );
    }
    return ok(
      title,
      itemList(rows) +
        pagingLinks('SearchItemsInRegion', { category, categoryName, region }, pageNo, n, rows.length === n),
    );
  },

  ViewItem: async ({ params, db }) => {
    const itemId = int(params, 'itemId', 1);
    const found = await findItem(db, itemId);
    if (!found) return ok('Item', sorry(`item ${itemId} does not exist.`));
    const { item, open } = found;
    const seller = await first(db, 'userNickname', [Number(item.seller)]);
    const bids = await first(db, 'maxBidOfItem', [itemId]);
    const nBids = Number(bids?.bids ?? 0);
    const current = nBids > 0 ? Number(bids?.bid) : Number(item.initial_price);
    const sellerId = Number(item.seller);
    const actions: string[] = [link('ViewBidHistory', 'Bid history', { itemId })];
    if (open) {
      actions.push(link('PutBidAuth', 'Bid now', { itemId }));
      if (Number(item.buy_now) > 0 && Number(item.quantity) > 0)
        actions.push(link('BuyNowAuth', 'Buy it now', { itemId }));
    }
    actions.push(link('PutCommentAuth', 'Comment on the seller', { to: sellerId, itemId }));
    return ok(
      String(item.name),
      table(
        ['Current price', 'Quantity', 'Bids', 'Started', 'Ends', 'Seller'],
        [
          [
            money(current),
            esc(item.quantity),
            esc(nBids),
            esc(item.start_date),
            esc(item.end_date),
            link('ViewUserInfo', seller?.nickname ?? `user ${sellerId}`, { userId: sellerId }),
          ],
        ],
      ) +
        (Number(item.buy_now) > 0 ? `<p>Buy it now: ${money(item.buy_now)}</p>` : '') +
        (Number(item.reserve_price) > 0 ? `<p>This item has a reserve price.</p>` : '') +
        `<p>${esc(item.description)}</p>\n<p>${actions.join(' | ')}</p>` +
        (open ? '' : '<p>This auction has ended.</p>'),
    );
  },

  ViewUserInfo: async ({ params, db }) => {
    const userId = int(params, 'userId', 1);
    const user = await first(db, 'userById', [userId]);
    if (!user) return ok('User', sorry(`user ${userId} does not exist.`));
    return ok(
      `About ${String(user.nickname)}`,
      table(
        ['Name', 'Member since', 'Rating'],
        [[esc(`${user.firstname} ${user.lastname}`), esc(user.creation_date), esc(user.rating)]],
      ) + (await commentsAbout(db, userId)),
    );
  },

  ViewBidHistory: async ({ params, db }) => {
    const itemId = int(params, 'itemId', 1);
    const found = await findItem(db, itemId);
    if (!found) return ok('Bid history', sorry(`item ${itemId} does not exist.`));
    const bids = await db.query('bidHistory', [itemId]);
    const title = `Bid history of ${String(found.item.name)}`;
    const back = `<p>${link('ViewItem', found.item.name, { itemId })}</p>`;
    if (bids.length === 0) return ok(title, `<p>There are no bids for this item.</p>${back}`);
    return ok(
      title,
      table(
        ['Bidder', 'Bid', 'Date'],
        bids.map((b) => [
          link('ViewUserInfo', b.nickname, { userId: Number(b.user_id) }),
          money(b.bid),
          esc(b.date),
        ]),
      ) + back,
    );
  },

  BuyNowAuth: async ({ params }) =>
    loginForm('BuyNow', { itemId: int(params, 'itemId', 1) }, 'Log in to buy'),

  BuyNow: async (ctx) => {
    const itemId = int(ctx.params, 'itemId', 1);
    const userId = await authenticate(ctx);
    if (userId === null) return ok('Buy now', sorry(NOT_A_USER));
    const item = await first(ctx.db, 'itemById', [itemId]);
    if (!item) return ok('Buy now', sorry(`item ${itemId} is not on sale.`));
    const seller = await first(ctx.db, 'userNickname', [Number(item.seller)]);
    return ok(
      `Buy ${String(item.name)}`,
      `<p>Sold by ${link('ViewUserInfo', seller?.nickname ?? `user ${String(item.seller)}`, { userId: Number(item.seller) })} ` +
        `for ${money(item.buy_now)} each, ${esc(item.quantity)} left.</p>` +
        form(
          'StoreBuyNow',
          [
            hidden('itemId', itemId),
            hidden('userId', userId),
            hidden('maxQty', item.quantity),
            input('qty', 'Quantity', 1),
          ],
          'Buy now',
        ),
    );
  },

  StoreBuyNow: async ({ params, db, now }) => {
    const itemId = int(params, 'itemId', 1);
    const userId = int(params, 'userId', 1);
    const qty = int(params, 'qty', 1, 1_000_000);
    const date = sqlDate(now);
    const r = await db.batch([
      { name: 'buyItem', params: [qty, date, qty, itemId, qty, date], requireChange: true },
      { name: 'insertBuyNow', params: [userId, itemId, qty, date] },
    ]);
    if (!r.ok) return ok('Buy now', sorry(`item ${itemId} is not available in quantity ${qty} any more.`));
    return ok(
      'Purchase done',
      `<p>You bought ${esc(qty)} of ${link('ViewItem', `item ${itemId}`, { itemId })}.</p>`,
    );
  },

  PutBidAuth: async ({ params }) =>
    loginForm('PutBid', { itemId: int(params, 'itemId', 1) }, 'Log in to bid'),

  PutBid: async (ctx) => {
    const itemId = int(ctx.params, 'itemId', 1);
    const userId = await authenticate(ctx);
    if (userId === null) return ok('Bid', sorry(NOT_A_USER));
    const item = await first(ctx.db, 'itemById', [itemId]);
    if (!item) return ok('Bid', sorry(`item ${itemId} is not on sale.`));
    const seller = await first(ctx.db, 'userNickname', [Number(item.seller)]);
    const bids = await first(ctx.db, 'maxBidOfItem', [itemId]);
    const nBids = Number(bids?.bids ?? 0);
    // RUBiS: the first bid may be the initial price; later ones must beat the highest bid by 1.
    const minBid = nBids > 0 ? Number(bids?.bid) + 1 : Number(item.initial_price);
    return ok(
      `Bid on ${String(item.name)}`,
      `<p>Sold by ${link('ViewUserInfo', seller?.nickname ?? `user ${String(item.seller)}`, { userId: Number(item.seller) })}; ` +
        `${esc(nBids)} bids so far; minimum bid ${money(minBid)}.</p>` +
        form(
          'StoreBid',
          [
            hidden('itemId', itemId),
            hidden('userId', userId),
            hidden('minBid', money(minBid)),
            hidden('maxQty', item.quantity),
            input('bid', 'Your bid', money(minBid)),
            input('maxBid', 'Your maximum bid', money(minBid)),
            input('qty', 'Quantity', 1),
          ],
          'Bid now',
        ),
    );
  },

  StoreBid: async ({ params, db, now }) => {
    const itemId = int(params, 'itemId', 1);
    const userId = int(params, 'userId', 1);
    const minBid = num(params, 'minBid', 0);
    const bid = num(params, 'bid', 0);
    const maxBid = num(params, 'maxBid', 0, bid);
    const maxQty = int(params, 'maxQty', 1, 1_000_000, 1);
    const qty = int(params, 'qty', 1, 1_000_000, 1);
    if (bid < minBid)
      return ok('Bid', sorry(`your bid of ${money(bid)} is below the minimum of ${money(minBid)}.`));
    if (maxBid < bid)
      return ok('Bid', sorry(`your maximum bid of ${money(maxBid)} is below your bid of ${money(bid)}.`));
    if (qty > maxQty) return ok('Bid', sorry(`you asked for ${qty} but only ${maxQty} are on sale.`));
    const r = await db.batch([
      { name: 'insertBid', params: [userId, itemId, qty, bid, maxBid, sqlDate(now)] },
      { name: 'updateItemBid', params: [bid, bid, itemId], requireChange: true },
    ]);
    if (!r.ok) return ok('Bid', sorry(`item ${itemId} is not on sale.`));
    return ok(
      'Bid done',
      `<p>Your bid of ${money(bid)} on ${link('ViewItem', `item ${itemId}`, { itemId })} has been recorded.</p>`,
    );
  },

  PutCommentAuth: async ({ params }) =>
    loginForm(
      'PutComment',
      { to: int(params, 'to', 1), itemId: int(params, 'itemId', 1) },
      'Log in to comment',
    ),

  PutComment: async (ctx) => {
    const to = int(ctx.params, 'to', 1);
    const itemId = int(ctx.params, 'itemId', 1);
    const userId = await authenticate(ctx);
    if (userId === null) return ok('Comment', sorry(NOT_A_USER));
    const found = await findItem(ctx.db, itemId);
    if (!found) return ok('Comment', sorry(`item ${itemId} does not exist.`));
    const toUser = await first(ctx.db, 'userNickname', [to]);
    if (!toUser) return ok('Comment', sorry(`user ${to} does not exist.`));
    const ratings = [5, 3, 0, -3, -5].map((r) => `<option value="${r}">${r}</option>`).join('');
    return ok(
      `Comment on ${String(toUser.nickname)}`,
      `<p>About ${esc(found.item.name)}.</p>` +
        form(
          'StoreComment',
          [
            hidden('from', userId),
            hidden('to', to),
            hidden('itemId', itemId),
            `<label>Rating <select name="rating">${ratings}</select></label><br>`,
            `<label>Comment <textarea name="comment"></textarea></label><br>`,
          ],
          'Post this comment',
        ),
    );
  },

  StoreComment: async ({ params, db, now }) => {
    const from = int(params, 'from', 1);
    const to = int(params, 'to', 1);
    const itemId = int(params, 'itemId', 1);
    const rating = int(params, 'rating', -5, 5);
    const comment = optStr(params, 'comment', '', 2000);
    const r = await db.batch([
      { name: 'insertComment', params: [from, to, itemId, rating, sqlDate(now), comment] },
      { name: 'updateUserRating', params: [rating, to], requireChange: true },
    ]);
    if (!r.ok) return ok('Comment', sorry(`user ${to} does not exist.`));
    return ok(
      'Comment posted',
      `<p>Your comment on ${link('ViewUserInfo', `user ${to}`, { userId: to })} has been posted.</p>`,
    );
  },

  Sell: async () => loginForm('SelectCategoryToSellItem', {}, 'Log in to sell'),

  SelectCategoryToSellItem: async (ctx) => {
    const userId = await authenticate(ctx);
    if (userId === null) return ok('Sell', sorry(NOT_A_USER));
    const cats = await ctx.db.query('categories', []);
    return ok(
      'Choose a category',
      `<ul>${cats.map((c) => `<li>${link('SellItemForm', c.name, { category: Number(c.id), user: userId })}</li>`).join('\n')}</ul>`,
    );
  },

  SellItemForm: async ({ params }) => {
    const category = int(params, 'category', 1);
    const user = int(params, 'user', 1);
    return ok(
      'Sell an item',
      form(
        'RegisterItem',
        [
          hidden('category', category),
          hidden('userId', user),
          input('name', 'Name'),
          input('description', 'Description'),
          input('initialPrice', 'Initial price'),
          input('reservePrice', 'Reserve price (optional)'),
          input('buyNow', 'Buy-it-now price (optional)'),
          input('duration', 'Duration (days)', 7),
          input('quantity', 'Quantity', 1),
        ],
        'Register this item',
      ),
    );
  },

  RegisterItem: async ({ params, db, now }) => {
    const category = int(params, 'category', 1);
    const userId = int(params, 'userId', 1);
    const name = str(params, 'name', 100);
    const description = optStr(params, 'description', '', 5000);
    const initialPrice = num(params, 'initialPrice', 0);
    const reservePrice = num(params, 'reservePrice', 0, 0);
    const buyNow = num(params, 'buyNow', 0, 0);
    const duration = int(params, 'duration', 1, 365);
    const quantity = int(params, 'quantity', 1, 1_000_000, 1);
    const end = now + duration * DAY_MS;
    const r = await db.run('insertItem', [
      name,
      description,
      initialPrice,
      quantity,
      reservePrice,
      buyNow,
      sqlDate(now),
      sqlDate(end),
      userId,
      category,
    ]);
    return ok(
      'Item registered',
      `<p>${link('ViewItem', name, { itemId: r.insertId })} is on sale until ${esc(sqlDate(end))}.</p>`,
    );
  },

  AboutMeAuth: async () => loginForm('AboutMe', {}, 'Log in to see your account'),

  AboutMe: async (ctx) => {
    const userId = await authenticate(ctx);
    if (userId === null) return ok('About me', sorry(NOT_A_USER));
    const { db, now } = ctx;
    const user = await first(db, 'userById', [userId]);
    if (!user) return ok('About me', sorry(NOT_A_USER));
    const nowText = sqlDate(now);
    const recent = sqlDate(now - RECENT_MS);
    const bids = await db.query('aboutMeBids', [userId, nowText]);
    const won = await db.query('aboutMeWon', [userId, recent]);
    const bought = await db.query('aboutMeBought', [userId, recent]);
    const selling = await db.query('aboutMeSelling', [userId, nowText]);
    const sold = await db.query('aboutMeSold', [userId, recent]);
    const section = (title: string, rows: Row[], render: (rows: Row[]) => string): string =>
      `<h2>${esc(title)}</h2>\n${rows.length ? render(rows) : '<p>None.</p>'}`;
    return ok(
      `About ${String(user.nickname)}`,
      table(
        ['Name', 'E-mail', 'Member since', 'Rating', 'Balance'],
        [
          [
            esc(`${user.firstname} ${user.lastname}`),
            esc(user.email),
            esc(user.creation_date),
            esc(user.rating),
            money(user.balance),
          ],
        ],
      ) +
        section('Your bids on open auctions', bids, itemList) +
        section('Items you won in the last 30 days', won, (rows) =>
          table(
            ['Item', 'Price', 'Ended'],
            rows.map((r) => [
              link('ViewItem', r.name, { itemId: Number(r.id) }),
              money(r.max_bid),
              esc(r.end_date),
            ]),
          ),
        ) +
        section('Items you bought in the last 30 days', bought, (rows) =>
          table(
            ['Item', 'Quantity', 'Date'],
            rows.map((r) => [
              link('ViewItem', r.name, { itemId: Number(r.item_id) }),
              esc(r.qty),
              esc(r.date),
            ]),
          ),
        ) +
        section('Items you are selling', selling, itemList) +
        section('Items you sold in the last 30 days', sold, itemList) +
        `<h2>Comments about you</h2>\n${await commentsAbout(db, userId)}`,
    );
  },
};

// Every interaction has a page (a compile-time Record, checked again here for the route table).
for (const name of INTERACTIONS) if (!PAGES[name]) throw new Error(`no page for ${name}`);
