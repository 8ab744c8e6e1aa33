// The RUBiS data generator: RUBiS's proportions at any scale, determinism by seed, and rows that
// agree with each other (bid counts and prices, ratings, open vs. closed auctions).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CategorySpec } from '../../src/workload/data-files.ts';
import { generateRubis, rubisSizes, type GenerateOptions } from '../../src/workload/db/datagen.ts';
import { loadSqlite } from '../../src/workload/db/load.ts';
import { SqliteExecutor } from '../../src/workload/db/sqlite.ts';
import { sqlDate, type SqlValue } from '../../src/workload/db/types.ts';

const CATEGORIES: CategorySpec[] = [
  { name: 'Books', items: 2691 },
  { name: 'Coins', items: 538 },
  { name: 'Stamps', items: 305 },
  { name: 'Photo & <Video>', items: 170 },
];
const REGIONS = ['AZ--Phoenix', 'CA--Oakland', 'NY--New York'];
const NOW = Date.parse('2026-03-01T12:00:00Z');
const opts = (over: Partial<GenerateOptions> = {}): GenerateOptions => ({
  scale: 0.01,
  seed: 1,
  now: NOW,
  categories: CATEGORIES,
  regions: REGIONS,
  ...over,
});

function tables(o: GenerateOptions): Map<string, SqlValue[][]> {
  const out = new Map<string, SqlValue[][]>();
  for (const chunk of generateRubis(o, 777)) {
    const rows = out.get(chunk.table) ?? [];
    rows.push(...chunk.rows);
    out.set(chunk.table, rows);
  }
  return out;
}

function digest(o: GenerateOptions): string {
  const h = createHash('sha256');
  for (const chunk of generateRubis(o)) h.update(JSON.stringify(chunk));
  return h.digest('hex');
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'foreshock-datagen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sizes', () => {
  it("keeps RUBiS's proportions at any scale", () => {
    const s = rubisSizes({ scale: 0.05, categories: CATEGORIES, regions: REGIONS });
    expect(s.users).toBe(50_000);
    expect(s.oldItems).toBe(25_000);
    expect(s.activeItems).toEqual([135, 27, 15, 9]);
    const full = rubisSizes({ scale: 1, categories: CATEGORIES, regions: REGIONS });
    expect(full.users).toBe(1_000_000);
    expect(full.oldItems).toBe(500_000);
    expect(full.activeItems).toEqual([2691, 538, 305, 170]);
  });

  it('keeps at least one open auction per category and refuses a bad scale', () => {
    expect(rubisSizes({ scale: 0.0001, categories: CATEGORIES, regions: REGIONS }).activeItems).toEqual([
      1, 1, 1, 1,
    ]);
    expect(() => rubisSizes({ scale: 0, categories: CATEGORIES, regions: REGIONS })).toThrow(/scale/);
    expect(() => rubisSizes({ scale: 2, categories: CATEGORIES, regions: REGIONS })).toThrow(/scale/);
  });
});

describe('rows', () => {
  const t = tables(opts());
  const sizes = rubisSizes(opts());

  it('generates every table with the sizes, one comment per item and 0-19 bids per item', () => {
    expect(t.get('categories')).toHaveLength(4);
    expect(t.get('regions')).toHaveLength(3);
    expect(t.get('users')).toHaveLength(sizes.users);
    expect(t.get('old_items')).toHaveLength(sizes.oldItems);
    expect(t.get('items')).toHaveLength(sizes.activeTotal);
    expect(t.get('comments')).toHaveLength(sizes.oldItems + sizes.activeTotal);
    const perItem = new Map<number, number>();
    for (const b of t.get('bids')!) perItem.set(Number(b[2]), (perItem.get(Number(b[2])) ?? 0) + 1);
    expect(Math.max(...perItem.values())).toBeLessThanOrEqual(19);
    const mean = t.get('bids')!.length / (sizes.oldItems + sizes.activeTotal);
    expect(mean).toBeGreaterThan(8.5);
    expect(mean).toBeLessThan(10.5);
  });

  it('opens auctions after now and closes old ones before, with ids that never collide', () => {
    const now = sqlDate(NOW);
    const open = t.get('items')!;
    const old = t.get('old_items')!;
    expect(open.filter((r) => !(String(r[10]) >= now))).toEqual([]);
    expect(old.filter((r) => !(String(r[10]) < now))).toEqual([]);
    const ids = new Set([...open, ...old].map((r) => r[0]));
    expect(ids.size).toBe(open.length + old.length);
  });

  it("agrees with itself: an item's bid count and price are its bids', a user's rating the comments'", () => {
    // Mismatches are collected and compared once (an expect per row would dominate the run time).
    const bad: string[] = [];
    const bidsOf = new Map<number, number[]>();
    for (const b of t.get('bids')!) {
      const list = bidsOf.get(Number(b[2])) ?? [];
      list.push(Number(b[4]));
      bidsOf.set(Number(b[2]), list);
      if (Number(b[5]) < Number(b[4])) bad.push(`bid ${String(b[0])}: max_bid below bid`);
    }
    for (const item of [...t.get('items')!, ...t.get('old_items')!]) {
      const bids = bidsOf.get(Number(item[0])) ?? [];
      if (item[7] !== bids.length)
        bad.push(`item ${String(item[0])}: nb_of_bids ${String(item[7])} vs ${bids.length}`);
      if (item[8] !== (bids.length ? Math.max(...bids) : 0)) bad.push(`item ${String(item[0])}: max_bid`);
      if (!(Number(item[3]) >= 1 && Number(item[3]) <= 5000))
        bad.push(`item ${String(item[0])}: initial price`);
    }
    const rating = new Map<number, number>();
    for (const c of t.get('comments')!)
      rating.set(Number(c[2]), (rating.get(Number(c[2])) ?? 0) + Number(c[4]));
    for (const u of t.get('users')!) {
      if (u[6] !== (rating.get(Number(u[0])) ?? 0)) bad.push(`user ${String(u[0])}: rating`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(bidsOf.size).toBeGreaterThan(0);
    const nicknames = new Set(t.get('users')!.map((u) => u[3]));
    expect(nicknames.size).toBe(sizes.users);
    expect(t.get('users')![41]!.slice(3, 5)).toEqual(['user42', 'password42']);
  });

  it('draws reserve prices for ~40% and buy-now prices for ~10% of items', () => {
    const items = [...t.get('items')!, ...t.get('old_items')!];
    const reserve = items.filter((r) => Number(r[5]) > 0).length / items.length;
    const buyNow = items.filter((r) => Number(r[6]) > 0).length / items.length;
    expect(reserve).toBeGreaterThan(0.36);
    expect(reserve).toBeLessThan(0.44);
    expect(buyNow).toBeGreaterThan(0.08);
    expect(buyNow).toBeLessThan(0.12);
  });
});

describe('determinism', () => {
  it('gives the same rows for the same seed and other rows for another seed', () => {
    expect(digest(opts({ scale: 0.003 }))).toBe(digest(opts({ scale: 0.003 })));
    expect(digest(opts({ scale: 0.003, seed: 2 }))).not.toBe(digest(opts({ scale: 0.003 })));
  });

  it('loads into SQLite with the schema and indexes', async () => {
    const db = new SqliteExecutor(path.join(tmp, 'load.sqlite'));
    try {
      const report = loadSqlite(db, opts({ scale: 0.003 }));
      expect(report.rows.users).toBe(3000);
      expect((await db.query('countUsers', []))[0]).toEqual({ n: 3000 });
      const indexes = db.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as {
        name: string;
      }[];
      expect(indexes.map((i) => i.name)).toEqual(
        expect.arrayContaining([
          'users_nickname',
          'users_auth',
          'items_category',
          'bids_item',
          'comments_to',
        ]),
      );
      expect(await db.query('auth', ['user7', 'password7'])).toEqual([{ id: 7 }]);
      expect(await db.query('auth', ['user7', 'wrong'])).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
