// The RUBiS data generator: a database with RUBiS's default proportions times a scale factor,
// deterministic by seed (the same seed, scale, lists and `now` give the same rows). Pure: it yields
// rows; the backends load them (load.ts).
//
// Proportions (../shared/spec/rubis.md, "Database"): 1,000,000 users, 500,000 old (closed) items,
// the active items per category of `ebay_simple_categories.txt` (32,667 in all), the 62 regions of
// `ebay_regions.txt`, 0-19 bids and one comment per item. Scale 1 is RUBiS's default database;
// every count is multiplied by the scale (at least one active item per category).
// Other values, as RUBiS draws them (spec "Client emulator", "Parameters"): initial price U{1..5000},
// a reserve price on 40% of items, a buy-now price on 10%, auctions lasting 1-7 days, quantity
// U{1..10} [reconstruction], comment ratings from {-5, -3, 0, 3, 5}. Nicknames and passwords are
// `user<id>` / `password<id>`, so the client emulator can log in as any generated user.

import { createRng, type Rng } from '../../core/rng.ts';
import type { CategorySpec } from '../data-files.ts';
import { columnsOf } from './schema.ts';
import { sqlDate, type SqlValue } from './types.ts';

export const RUBIS_DEFAULT_USERS = 1_000_000;
export const RUBIS_DEFAULT_OLD_ITEMS = 500_000;
export const MAX_BIDS_PER_ITEM = 19;
export const COMMENT_RATINGS = [-5, -3, 0, 3, 5] as const;
/** Reconstruction: the spec gives no quantity range; small lots as on eBay's auction pages. */
export const MAX_ITEM_QUANTITY = 10;
export const RESERVE_SHARE = 0.4;
export const BUY_NOW_SHARE = 0.1;
/** Default scale: ~50,000 users and ~1,600 open auctions; generates in a few seconds here. */
export const DEFAULT_SCALE = 0.05;

const DAY_MS = 86_400_000;

export interface GenerateOptions {
  scale: number;
  seed: number;
  /** The database's "now" (epoch ms): open auctions end after it, closed ones before. */
  now: number;
  categories: CategorySpec[];
  regions: string[];
}

export interface RubisSizes {
  users: number;
  oldItems: number;
  /** Active items per category, in list order. */
  activeItems: number[];
  activeTotal: number;
  categories: number;
  regions: number;
}

export function rubisSizes(o: Pick<GenerateOptions, 'scale' | 'categories' | 'regions'>): RubisSizes {
  if (!Number.isFinite(o.scale) || o.scale <= 0 || o.scale > 1) {
    throw new RangeError(`scale must be in (0, 1], got ${o.scale}`);
  }
  const activeItems = o.categories.map((c) => Math.max(1, Math.round(c.items * o.scale)));
  return {
    users: Math.max(10, Math.round(RUBIS_DEFAULT_USERS * o.scale)),
    oldItems: Math.round(RUBIS_DEFAULT_OLD_ITEMS * o.scale),
    activeItems,
    activeTotal: activeItems.reduce((a, b) => a + b, 0),
    categories: o.categories.length,
    regions: o.regions.length,
  };
}

export interface RowChunk {
  table: string;
  columns: string[];
  rows: SqlValue[][];
}

const WORDS = (
  'vintage mint boxed rare original signed used working tested complete set lot collection ' +
  'genuine antique classic limited edition new sealed great condition minor wear shipping fast ' +
  'seller item described packaging excellent fair price recommended thanks again smooth deal'
).split(' ');

function words(rng: Rng, min: number, max: number): string {
  const n = min + rng.int(max - min + 1);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[rng.int(WORDS.length)]!);
  return out.join(' ');
}

/** Integer uniform in [lo, hi]. */
function between(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/** Yields the whole database table by table, `chunkRows` rows at a time, in load order. */
export function* generateRubis(o: GenerateOptions, chunkRows = 5000): Generator<RowChunk> {
  const sizes = rubisSizes(o);
  const root = createRng(o.seed);
  let buffer: SqlValue[][] = [];
  let table = '';
  // Rows collect in `buffer`; a chunk is yielded when it is full and at the end of each table, so
  // each table's chunks come before the next table's. (`push` is a plain function, not a
  // generator: a generator object per row would cost more than the row.)
  function* flush(): Generator<RowChunk> {
    if (buffer.length > 0) yield { table, columns: columnsOf(table), rows: buffer };
    buffer = [];
  }
  const push = (row: SqlValue[]): boolean => buffer.push(row) >= chunkRows;

  table = 'categories';
  for (let i = 0; i < o.categories.length; i++) if (push([i + 1, o.categories[i]!.name])) yield* flush();
  yield* flush();
  table = 'regions';
  for (let i = 0; i < o.regions.length; i++) if (push([i + 1, o.regions[i]!])) yield* flush();
  yield* flush();

  // Items first in memory (seller, category, timing), because users' ratings come from the comments
  // their items received and users are loaded before items.
  const itemRng = root.fork('items');
  const nItems = sizes.oldItems + sizes.activeTotal;
  const seller = new Int32Array(nItems);
  const category = new Int32Array(nItems);
  const cumulative: number[] = [];
  let acc = 0;
  for (const c of o.categories) cumulative.push((acc += c.items));
  let idx = 0;
  // Old items 1..oldItems: categories in proportion to the active counts.
  for (; idx < sizes.oldItems; idx++) {
    const u = itemRng.next() * acc;
    let c = cumulative.findIndex((x) => x > u);
    if (c < 0) c = cumulative.length - 1;
    category[idx] = c + 1;
    seller[idx] = 1 + itemRng.int(sizes.users);
  }
  // Active items oldItems+1.., grouped by category as RUBiS's list gives them.
  for (let c = 0; c < sizes.activeItems.length; c++) {
    for (let k = 0; k < sizes.activeItems[c]!; k++, idx++) {
      category[idx] = c + 1;
      seller[idx] = 1 + itemRng.int(sizes.users);
    }
  }
  const commentRng = root.fork('comments');
  const commentFrom = new Int32Array(nItems);
  const commentRating = new Int8Array(nItems);
  const rating = new Int32Array(sizes.users + 1);
  for (let i = 0; i < nItems; i++) {
    commentFrom[i] = 1 + commentRng.int(sizes.users);
    const r = COMMENT_RATINGS[commentRng.int(COMMENT_RATINGS.length)]!;
    commentRating[i] = r;
    rating[seller[i]!]! += r;
  }

  table = 'users';
  const userRng = root.fork('users');
  for (let id = 1; id <= sizes.users; id++) {
    const created = o.now - Math.floor(userRng.next() * 730 * DAY_MS);
    if (
      push([
        id,
        `Great${id}`,
        `User${id}`,
        `user${id}`,
        `password${id}`,
        `Great${id}.User${id}@rubis.com`,
        rating[id]!,
        0,
        sqlDate(created),
        1 + userRng.int(sizes.regions),
      ])
    )
      yield* flush();
  }
  yield* flush();

  // Item rows. Each item's bids come from its own generator (seeded by the item), so the item row
  // (bid count, current price) and the bids table agree without holding every bid in memory.
  const bidSeed = (o.seed ^ 0x5bd1e995) >>> 0;
  const bidsOf = (i: number, start: number, end: number, initial: number): SqlValue[][] => {
    const rng = createRng(bidSeed + i);
    const n = rng.int(MAX_BIDS_PER_ITEM + 1);
    const last = Math.min(end, o.now);
    const rows: SqlValue[][] = [];
    let price = initial;
    for (let b = 0; b < n; b++) {
      price += between(rng, 1, 10);
      const t = start + Math.floor(((b + 1) / (n + 1)) * (last - start));
      rows.push([0, 1 + rng.int(sizes.users), i + 1, 1, price, price + rng.int(11), sqlDate(t)]);
    }
    return rows;
  };
  const itemTiming = root.fork('item-values');
  const startOf = new Float64Array(nItems);
  const endOf = new Float64Array(nItems);
  const initialOf = new Int32Array(nItems);
  const itemRow = (i: number, open: boolean): SqlValue[] => {
    const days = between(itemTiming, 1, 7);
    let start: number;
    let end: number;
    if (open) {
      start = o.now - Math.floor(itemTiming.next() * days * DAY_MS);
      end = start + days * DAY_MS;
    } else {
      end = o.now - 1000 - Math.floor(itemTiming.next() * 60 * DAY_MS);
      start = end - days * DAY_MS;
    }
    const initial = between(itemTiming, 1, 5000);
    const reserve = itemTiming.next() < RESERVE_SHARE ? initial + between(itemTiming, 1, 1000) : 0;
    const buyNow =
      itemTiming.next() < BUY_NOW_SHARE ? Math.max(initial, reserve) + between(itemTiming, 1, 1000) : 0;
    const quantity = between(itemTiming, 1, MAX_ITEM_QUANTITY);
    startOf[i] = start;
    endOf[i] = end;
    initialOf[i] = initial;
    const bids = bidsOf(i, start, end, initial);
    const top = bids[bids.length - 1];
    return [
      i + 1,
      `RUBiS automatically generated item #${i + 1}`,
      words(itemTiming, 8, 40),
      initial,
      quantity,
      reserve,
      buyNow,
      bids.length,
      top ? top[4]! : 0,
      sqlDate(start),
      sqlDate(end),
      seller[i]!,
      category[i]!,
    ];
  };

  table = 'old_items';
  for (let i = 0; i < sizes.oldItems; i++) if (push(itemRow(i, false))) yield* flush();
  yield* flush();
  table = 'items';
  for (let i = sizes.oldItems; i < nItems; i++) if (push(itemRow(i, true))) yield* flush();
  yield* flush();

  table = 'bids';
  let bidId = 0;
  for (let i = 0; i < nItems; i++) {
    for (const row of bidsOf(i, startOf[i]!, endOf[i]!, initialOf[i]!)) {
      row[0] = ++bidId;
      if (push(row)) yield* flush();
    }
  }
  yield* flush();

  table = 'comments';
  const textRng = root.fork('comment-text');
  for (let i = 0; i < nItems; i++) {
    if (
      push([
        i + 1,
        commentFrom[i]!,
        seller[i]!,
        i + 1,
        commentRating[i]!,
        sqlDate(Math.min(endOf[i]!, o.now)),
        words(textRng, 3, 20),
      ])
    )
      yield* flush();
  }
  yield* flush();
}
