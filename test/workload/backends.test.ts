// Every one of the 27 interactions, through the web tier's HTTP pages, on both database backends:
// the embedded stack (SQLite database-tier process) and a real MariaDB server this test starts
// (mariadb-server.ts). Both stacks are whole: separate web and database processes on loopback,
// stopped in afterAll, and checked gone. Writes are checked through the pages that show them, user
// text is checked HTML-escaped, and the read pages are compared across the two backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCategories, readRegions } from '../../src/workload/data-files.ts';
import { findMariadbd } from '../../src/workload/db/mariadb-server.ts';
import { readPage, type PageInfo } from '../../src/workload/emulator/page.ts';
import { INTERACTIONS, type Interaction } from '../../src/workload/interactions.ts';
import { startStack, type RubisStack, type StackKind } from '../../src/workload/stack.ts';
import { HAVE_RUBIS, RUBIS, rubisTitle, waitGone } from './helpers.ts';

const MARIADB = findMariadbd();
const NOW = Date.now() - 60_000;
const backends: StackKind[] = MARIADB ? ['embedded', 'mariadb'] : ['embedded'];
const stacks = new Map<StackKind, RubisStack>();
const pages = new Map<StackKind, Map<string, string>>();

interface Got {
  status: number;
  body: string;
  page: PageInfo;
}

async function get(stack: RubisStack, path: string, visited?: Set<string>): Promise<Got> {
  const res = await fetch(stack.webUrl + path);
  const body = await res.text();
  visited?.add(path === '/' || path.startsWith('/?') ? 'Home' : path.slice(1).split('?')[0]!);
  return { status: res.status, body, page: readPage(body) };
}

function q(params: Record<string, string | number>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
}

function linkParam(page: PageInfo, to: Interaction, param: string): string[] {
  return page.links.filter((l) => l.to === to).map((l) => l.params.get(param)!);
}

describe.skipIf(!HAVE_RUBIS)(
  rubisTitle(
    `all 27 interactions on ${MARIADB ? 'SQLite and MariaDB' : 'SQLite (MariaDB SKIPPED: mariadbd not installed)'}`,
  ),
  () => {
    beforeAll(async () => {
      const categories = readCategories(RUBIS);
      const regions = readRegions(RUBIS);
      for (const stack of backends) {
        stacks.set(stack, await startStack({ stack, scale: 0.002, seed: 3, now: NOW, categories, regions }));
      }
    }, 120_000);

    afterAll(async () => {
      const pids = [...stacks.values()].flatMap((s) => [s.pids.web, s.pids.db ?? 0]).filter((p) => p > 0);
      for (const s of stacks.values()) await s.stop();
      // No orphans: every process the stacks started is gone.
      expect(await waitGone(pids)).toEqual([]);
    }, 60_000);

    it.each(backends)('%s: every interaction answers and does its database work', async (kind) => {
      const s = stacks.get(kind)!;
      const seen = new Set<string>();
      const keep = new Map<string, string>();
      pages.set(kind, keep);
      const go = (path: string): Promise<Got> => get(s, path, seen);
      const ok = async (path: string): Promise<Got> => {
        const r = await go(path);
        expect(r.status, `${kind} ${path}: ${r.body.slice(0, 300)}`).toBe(200);
        return r;
      };
      const tag = `${kind}-${Date.now()}`;

      const home = await ok('/');
      expect(home.page.links.map((l) => l.to)).toEqual(
        expect.arrayContaining(['Browse', 'Sell', 'AboutMeAuth']),
      );

      // Register a user whose name needs escaping.
      const reg = await ok('/Register');
      expect(reg.page.formAction).toBe('RegisterUser');
      expect(reg.body).toContain('<option value="AZ--Phoenix">');
      const nick = `<b>${tag}&"x</b>`;
      const user = {
        firstname: 'Ann',
        lastname: "O'Hara",
        nickname: nick,
        email: 'a@b.c',
        password: 'pw',
        region: 'AZ--Phoenix',
      };
      const registered = await ok(`/RegisterUser?${q(user)}`);
      expect(registered.body).toContain(`&lt;b&gt;${tag}&amp;&quot;x&lt;/b&gt;`);
      expect(registered.body).toContain('O&#39;Hara');
      expect(registered.body).not.toContain(`<b>${tag}`);
      expect(registered.page.sorry).toBe(false);
      const again = await ok(`/RegisterUser?${q(user)}`);
      expect(again.page.sorry).toBe(true);
      expect(again.body).toContain('already taken');
      expect(
        (await ok(`/RegisterUser?${q({ ...user, nickname: `${tag}-2`, region: 'Atlantis' })}`)).page.sorry,
      ).toBe(true);

      // Browsing by category, with paging.
      expect((await ok('/Browse')).page.links.map((l) => l.to)).toEqual(
        expect.arrayContaining(['BrowseCategories', 'BrowseRegions']),
      );
      const cats = await ok('/BrowseCategories');
      expect(linkParam(cats.page, 'SearchItemsInCategory', 'category')).toHaveLength(20);
      const collectibles = 6; // the largest category: 15 open auctions at scale 0.002
      const p0 = await ok(
        `/SearchItemsInCategory?${q({ category: collectibles, categoryName: 'Collectibles', page: 0, nbOfItems: 5 })}`,
      );
      keep.set('search', p0.body);
      const items = linkParam(p0.page, 'ViewItem', 'itemId');
      expect(items).toHaveLength(5);
      expect(
        p0.page.links.filter((l) => l.to === 'SearchItemsInCategory').map((l) => l.params.get('page')),
      ).toEqual(['1']);
      const p1 = await ok(`/SearchItemsInCategory?${q({ category: collectibles, page: 1, nbOfItems: 5 })}`);
      expect(
        p1.page.links.filter((l) => l.to === 'SearchItemsInCategory').map((l) => l.params.get('page')),
      ).toEqual(['0', '2']);
      expect(linkParam(p1.page, 'ViewItem', 'itemId').some((id) => items.includes(id))).toBe(false);
      expect((await ok(`/SearchItemsInCategory?${q({ category: collectibles, page: 99 })}`)).page.sorry).toBe(
        true,
      );
      expect((await go('/SearchItemsInCategory?category=abc')).status).toBe(400);

      // Browsing by region.
      const regions = await ok('/BrowseRegions');
      expect(linkParam(regions.page, 'BrowseCategoriesInRegion', 'region')).toHaveLength(62);
      const inRegion = await ok('/BrowseCategoriesInRegion?region=1');
      expect(linkParam(inRegion.page, 'SearchItemsInRegion', 'region').every((r) => r === '1')).toBe(true);
      let regionHits = 0;
      for (let region = 1; region <= 62 && regionHits === 0; region++) {
        const r = await ok(
          `/SearchItemsInRegion?${q({ category: collectibles, region, page: 0, nbOfItems: 25 })}`,
        );
        regionHits = linkParam(r.page, 'ViewItem', 'itemId').length;
      }
      expect(regionHits).toBeGreaterThan(0);

      // Viewing items, users and bids.
      const item = await ok(`/ViewItem?itemId=${items[0]}`);
      keep.set('item', item.body);
      const seller = linkParam(item.page, 'ViewUserInfo', 'userId')[0]!;
      expect(linkParam(item.page, 'PutBidAuth', 'itemId')).toEqual([items[0]]);
      expect(linkParam(item.page, 'PutCommentAuth', 'to')).toEqual([seller]);
      keep.set('user', (await ok(`/ViewUserInfo?userId=${seller}`)).body);
      keep.set('bids', (await ok(`/ViewBidHistory?itemId=${items[0]}`)).body);
      expect((await ok('/ViewItem?itemId=1')).body).toContain('This auction has ended.'); // old items are 1..1000
      expect((await ok('/ViewItem?itemId=99999999')).page.sorry).toBe(true);
      expect((await go('/ViewItem')).status).toBe(400);

      // Selling an item (name with markup), as user5.
      expect((await ok('/Sell')).page.formAction).toBe('SelectCategoryToSellItem');
      const choose = await ok('/SelectCategoryToSellItem?nickname=user5&password=password5');
      expect(linkParam(choose.page, 'SellItemForm', 'user').every((u) => u === '5')).toBe(true);
      const sellForm = await ok('/SellItemForm?category=2&user=5');
      expect(sellForm.page.formAction).toBe('RegisterItem');
      expect(Object.fromEntries(sellForm.page.hidden)).toEqual({ category: '2', userId: '5' });
      const newItem = {
        category: 2,
        userId: 5,
        name: `<i>Lamp ${tag}</i>`,
        description: 'a & b',
        initialPrice: 50,
        reservePrice: 0,
        buyNow: 100,
        duration: 3,
        quantity: 3,
      };
      const sold = await ok(`/RegisterItem?${q(newItem)}`);
      const itemId = linkParam(sold.page, 'ViewItem', 'itemId')[0]!;
      expect(Number(itemId)).toBeGreaterThan(1000);
      const view = await ok(`/ViewItem?itemId=${itemId}`);
      expect(view.body).toContain(`&lt;i&gt;Lamp ${tag}&lt;/i&gt;`);
      expect(view.body).toContain('a &amp; b');
      expect(linkParam(view.page, 'BuyNowAuth', 'itemId')).toEqual([itemId]);

      // Bidding on it, as user8.
      expect((await ok(`/PutBidAuth?itemId=${itemId}`)).page.formAction).toBe('PutBid');
      const bidForm = await ok(`/PutBid?itemId=${itemId}&nickname=user8&password=password8`);
      const bidFields = Object.fromEntries(bidForm.page.hidden);
      expect(bidFields).toMatchObject({ itemId, userId: '8', minBid: '50.00', maxQty: '3' });
      expect((await ok(`/StoreBid?${q({ ...bidFields, bid: 40, maxBid: 60, qty: 1 })}`)).page.sorry).toBe(
        true,
      );
      expect((await ok(`/StoreBid?${q({ ...bidFields, bid: 55, maxBid: 60, qty: 1 })}`)).page.sorry).toBe(
        false,
      );
      const history = await ok(`/ViewBidHistory?itemId=${itemId}`);
      expect(history.body).toContain('user8');
      expect(history.body).toContain('55.00');
      const next = Object.fromEntries(
        (await ok(`/PutBid?itemId=${itemId}&nickname=user9&password=password9`)).page.hidden,
      );
      expect(next.minBid).toBe('56.00');
      expect((await ok(`/PutBid?itemId=${itemId}&nickname=user9&password=nope`)).page.sorry).toBe(true);

      // Buying two of three now, as user7; then three more is too many.
      expect((await ok(`/BuyNowAuth?itemId=${itemId}`)).page.formAction).toBe('BuyNow');
      const buyForm = await ok(`/BuyNow?itemId=${itemId}&nickname=user7&password=password7`);
      const buyFields = Object.fromEntries(buyForm.page.hidden);
      expect(buyFields).toMatchObject({ itemId, userId: '7', maxQty: '3' });
      expect((await ok(`/StoreBuyNow?${q({ ...buyFields, qty: 2 })}`)).page.sorry).toBe(false);
      expect((await ok(`/StoreBuyNow?${q({ ...buyFields, qty: 3 })}`)).page.sorry).toBe(true);
      expect(
        Object.fromEntries(
          (await ok(`/BuyNow?itemId=${itemId}&nickname=user7&password=password7`)).page.hidden,
        ).maxQty,
      ).toBe('1');

      // Commenting on the seller, as user9, with markup in the comment.
      const before = await ok('/ViewUserInfo?userId=5');
      const ratingOf = (html: string): number =>
        Number(/<td>[^<]*<\/td><td>[^<]*<\/td><td>(-?\d+)<\/td>/.exec(html)?.[1]);
      expect((await ok(`/PutCommentAuth?to=5&itemId=${itemId}`)).page.formAction).toBe('PutComment');
      const commentForm = await ok(`/PutComment?to=5&itemId=${itemId}&nickname=user9&password=password9`);
      const commentFields = Object.fromEntries(commentForm.page.hidden);
      expect(commentFields).toEqual({ from: '9', to: '5', itemId });
      await ok(
        `/StoreComment?${q({ ...commentFields, rating: 5, comment: `<script>alert("${tag}")</script>` })}`,
      );
      const after = await ok('/ViewUserInfo?userId=5');
      expect(after.body).toContain(`&lt;script&gt;alert(&quot;${tag}&quot;)&lt;/script&gt;`);
      expect(after.body).not.toContain('<script>');
      expect(ratingOf(after.body)).toBe(ratingOf(before.body) + 5);
      expect((await go(`/StoreComment?${q({ ...commentFields, rating: 9 })}`)).status).toBe(400);

      // About me: the bidder, the buyer, the seller, and the registered user logging in.
      expect((await ok('/AboutMeAuth')).page.formAction).toBe('AboutMe');
      const lampLink = `/ViewItem?itemId=${itemId}`;
      for (const u of [8, 7, 5])
        expect((await ok(`/AboutMe?nickname=user${u}&password=password${u}`)).body).toContain(lampLink);
      const me = await ok(`/AboutMe?${q({ nickname: nick, password: 'pw' })}`);
      expect(me.body).toContain(`About &lt;b&gt;${tag}&amp;&quot;x&lt;/b&gt;`);
      expect((await ok('/AboutMe?nickname=user5&password=wrong')).page.sorry).toBe(true);

      expect([...seen].sort()).toEqual([...INTERACTIONS].sort());
    });

    it.skipIf(backends.length < 2)('renders the same read pages from SQLite and MariaDB', () => {
      const a = pages.get('embedded');
      const b = pages.get('mariadb');
      expect(a && b).toBeTruthy();
      for (const key of ['search', 'item', 'user', 'bids']) expect(b!.get(key), key).toBe(a!.get(key));
    });

    it('answers unknown pages with 404', async () => {
      const r = await get(stacks.get('embedded')!, '/NoSuchPage');
      expect(r.status).toBe(404);
    });
  },
);
