// The transition-table parser on every RUBiS file in data/rubis, the category and region
// lists, and malformed tables (one-line errors naming the file and line).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError, UserError } from '../../src/core/errors.ts';
import {
  dataFile,
  parseCategories,
  parseMix,
  parseRegions,
  readCategories,
  readRegions,
} from '../../src/workload/data-files.ts';
import {
  BACK,
  END,
  columnSum,
  parseTransitionTable,
  readTransitionTable,
} from '../../src/workload/emulator/transitions.ts';
import { INTERACTION_INDEX as I } from '../../src/workload/interactions.ts';
import { HAVE_RUBIS, RUBIS, rubisTitle, tableText, removeTempFiles, tempFile } from './helpers.ts';

afterAll(removeTempFiles);

const tableFiles = HAVE_RUBIS
  ? readdirSync(RUBIS).filter((f) => f.endsWith('.txt') && f !== 'PROVENANCE.txt')
  : [];

function parseError(text: string, file = 'bad.txt'): DatasetError {
  try {
    parseTransitionTable(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).not.toContain('\n');
    return err as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe.skipIf(!HAVE_RUBIS)(rubisTitle('every transition table in data/rubis'), () => {
  it('finds the 13 tables (bidding, browsing and their think-time variants)', () => {
    expect(tableFiles).toHaveLength(13);
  });

  it.each(tableFiles)('%s parses into 27 columns x 29 destinations with waits', (name) => {
    const t = readTransitionTable(path.join(RUBIS, name));
    expect(t.prob).toHaveLength(27);
    for (const column of t.prob) {
      expect(column).toHaveLength(29);
      for (const p of column) expect(p >= 0 && p <= 1).toBe(true);
    }
    expect(t.waitMs).toHaveLength(29);
    // Back and End of Session have no wait; the pages do.
    expect(t.waitMs[BACK]).toBe(0);
    expect(t.waitMs[END]).toBe(0);
    expect(t.waitMs.slice(0, 27).every((w) => w > 0)).toBe(true);
    // Every state that can be reached from Home has a way out.
    expect(columnSum(t, I.Home)).toBeGreaterThan(0.9);
    expect(t.name).toMatch(/ set$/);
  });

  it('reads the bidding table cell by cell as columns = from, rows = to', () => {
    const t = readTransitionTable(path.join(RUBIS, 'default_transitions.txt'));
    expect(t.name).toBe('Default transition set');
    expect(t.prob[I.Home]![I.Browse]).toBe(0.7);
    expect(t.prob[I.Home]![I.Register]).toBe(0.07);
    expect(t.prob[I.Browse]![I.BrowseCategories]).toBe(0.7);
    expect(t.prob[I.Browse]![I.BrowseRegions]).toBe(0.29);
    expect(t.prob[I.ViewItem]![BACK]).toBe(0.5);
    expect(t.prob[I.SearchItemsInCategory]![I.SearchItemsInCategory]).toBe(0.4);
    expect(t.prob[I.StoreBid]![END]).toBe(0.2);
    // The row with RUBiS's typo "StoreBuyBow" is StoreBuyNow's.
    expect(t.prob[I.BuyNow]![I.StoreBuyNow]).toBe(0.99);
    expect(t.waitMs[I.Register]).toBe(10000);
    expect(t.waitMs[I.Browse]).toBe(2000);
    expect(t.backProb[I.ViewUserInfo]).toBe(0.8);
    // ViewItem's column sums to more than 1 (late rows unreachable); Home's to less (a residual stay).
    expect(columnSum(t, I.ViewItem)).toBeGreaterThan(1);
    expect(columnSum(t, I.Home)).toBeCloseTo(0.97, 10);
  });

  it('takes the first wait column of the think-time variants (the scaled one)', () => {
    const t03 = readTransitionTable(path.join(RUBIS, 'default_transitions_03.txt'));
    const t2 = readTransitionTable(path.join(RUBIS, 'default_transitions_2.txt'));
    const base = readTransitionTable(path.join(RUBIS, 'default_transitions.txt'));
    expect(t03.waitMs[I.Home]).toBe(900);
    expect(t2.waitMs[I.Register]).toBe(20000);
    expect(t03.prob).toEqual(base.prob);
  });

  it('reads the browsing table', () => {
    const t = readTransitionTable(path.join(RUBIS, 'browse_only_transitions.txt'));
    expect(t.prob[I.Home]![I.Browse]).toBe(1);
    expect(t.prob[I.Home]![I.Register]).toBe(0);
    expect(t.prob[I.RegisterUser]![I.Browse]).toBe(0.75);
  });

  it('reads the category and region lists with RUBiS default sizes', () => {
    const cats = readCategories(RUBIS);
    expect(cats).toHaveLength(20);
    expect(cats.reduce((a, c) => a + c.items, 0)).toBe(32_667);
    expect(cats[0]).toEqual({ name: 'Antiques & Art', items: 1374 });
    const regions = readRegions(RUBIS);
    expect(regions).toHaveLength(62);
    expect(regions[0]).toBe('AZ--Phoenix');
    const fullFile = path.join(RUBIS, 'database', 'ebay_full_categories.txt');
    const full = parseCategories(readFileSync(fullFile, 'utf8'), fullFile);
    // Sub-categories replace their parents; their counts add up to the same total.
    expect(full.length).toBeGreaterThan(200);
    expect(full.some((c) => c.name === 'Antiques & Art: Antiquities')).toBe(true);
    expect(full.some((c) => c.name === 'Antiques & Art')).toBe(false);
  });
});

describe('the parser on synthetic tables', () => {
  const valid = tableText((from, to) => (to === (from + 1) % 27 ? 0.8 : to === END ? 0.2 : 0));

  it('accepts a well-formed table and reads the waits', () => {
    const t = parseTransitionTable(valid, 'ok.txt');
    expect(t.prob[0]![1]).toBe(0.8);
    expect(t.prob[26]![0]).toBe(0.8);
    expect(t.prob[5]![END]).toBe(0.2);
    expect(t.waitMs[0]).toBe(1000);
    expect(t.waitMs[26]).toBe(27000);
  });

  it('accepts CRLF line ends', () => {
    expect(parseTransitionTable(valid.replace(/\n/g, '\r\n'), 'crlf.txt').prob[0]![1]).toBe(0.8);
  });

  it('names the file and line of a non-numeric cell', () => {
    const bad = valid.replace(/^(ViewItem\t[^\t]*\t)[^\t]*/m, '$1abc');
    const err = parseError(bad, 'x.txt');
    expect(err.message).toMatch(/^x\.txt: line 14: "ViewItem" column 3 is "abc", expected a number$/);
  });

  it('refuses a probability outside [0, 1]', () => {
    const bad = valid.replace(/^(Browse\t)[^\t]*/m, '$11.5');
    expect(parseError(bad).message).toMatch(/line 8: "Browse" column 2 is 1.5, outside \[0, 1\]/);
  });

  it('refuses a missing or misplaced row', () => {
    const lines = valid.split('\n');
    const noSell = lines.filter((l) => !l.startsWith('Sell\t')).join('\n');
    expect(parseError(noSell).message).toMatch(/row 22 is "SelectCategoryToSellItem", expected "Sell"/);
    const truncated = lines.slice(0, 20).join('\n');
    expect(parseError(truncated).message).toMatch(
      /ends after 16 table rows, expected 29 \(missing "PutBid"\)/,
    );
  });

  it('refuses a short row', () => {
    const bad = valid.replace(
      /^(PutBid\t)(.*)$/m,
      (_, a: string, rest: string) => a + rest.split('\t').slice(0, 10).join('\t'),
    );
    expect(parseError(bad).message).toMatch(/"PutBid" has 10 cells, expected 27 probabilities and a wait/);
  });

  it('refuses a file that is not a transition table', () => {
    expect(parseError('name,value\na,1\n', 'data.csv').message).toMatch(
      /^data\.csv: no header row .*not a RUBiS transition table/,
    );
  });

  it('reads a malformed file from disk with its path in the message', () => {
    const file = tempFile('broken.txt', valid.replace(/^(Home\t)[^\t]*/m, '$1-0.1'));
    expect(() => readTransitionTable(file)).toThrow(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 5:`),
    );
  });
});

describe('mixes and data files', () => {
  it('knows the two mixes and names an unknown one', () => {
    expect(parseMix('bidding')).toBe('bidding');
    expect(parseMix('browsing')).toBe('browsing');
    expect(() => parseMix('shopping')).toThrow(
      new UserError('unknown mix "shopping" (known: bidding, browsing)'),
    );
  });

  it('names a missing data file in one line', () => {
    expect(() => dataFile('/nonexistent/rubis', 'default_transitions.txt')).toThrow(
      /^RUBiS data file \/nonexistent\/rubis\/default_transitions.txt is missing \(give --data/,
    );
  });

  it('parses category and region lists and refuses malformed ones', () => {
    expect(parseCategories('Books (5) \nCoins (7)\n', 'c.txt')).toEqual([
      { name: 'Books', items: 5 },
      { name: 'Coins', items: 7 },
    ]);
    expect(() => parseCategories('Books\n', 'c.txt')).toThrow(/^c\.txt: line 1: expected "Name \(count\)"/);
    expect(parseRegions('A\n\nB\n', 'r.txt')).toEqual(['A', 'B']);
    expect(() => parseRegions('A\nA\n', 'r.txt')).toThrow(/^r\.txt: region "A" listed twice/);
  });
});

describe('the RUBiS files ship with the repository', () => {
  it('the default data directory is the shipped data/rubis, with its attribution', async () => {
    const { defaultDataDir, RUBIS_CITATION } = await import('../../src/workload/data-files.ts');
    expect(path.relative(process.cwd(), defaultDataDir())).toBe(path.join('data', 'rubis'));
    const readme = readFileSync(path.join(defaultDataDir(), 'README.md'), 'utf8');
    expect(readme).toContain('Rice University');
    expect(readme).toContain('Cecchet');
    expect(readme).toContain('Marguerite');
    expect(RUBIS_CITATION).toContain('Rice University');
    // Everything the stacks read at run time is there.
    expect(() => dataFile(defaultDataDir(), 'default_transitions.txt')).not.toThrow();
    expect(() => dataFile(defaultDataDir(), 'browse_only_transitions.txt')).not.toThrow();
    expect(readCategories(defaultDataDir()).length).toBeGreaterThan(0);
    expect(readRegions(defaultDataDir()).length).toBeGreaterThan(0);
  });

  const SHARED = path.resolve(process.cwd(), '../shared/data/rubis');
  const haveShared = (() => {
    try {
      return readdirSync(SHARED).length > 0;
    } catch {
      return false;
    }
  })();
  describe.skipIf(!haveShared)(
    haveShared ? 'the shipped copy' : `the shipped copy (SKIPPED: ${SHARED} not found)`,
    () => {
      it('is byte-identical to the published files in ../shared/data/rubis', () => {
        const files = [
          ...readdirSync(SHARED).filter((f) => f.endsWith('.txt') && f !== 'PROVENANCE.txt'),
          ...readdirSync(path.join(SHARED, 'database')).map((f) => path.join('database', f)),
        ];
        expect(files.length).toBeGreaterThan(14);
        for (const f of files)
          expect(readFileSync(path.join(RUBIS, f)).equals(readFileSync(path.join(SHARED, f))), f).toBe(true);
      });
    },
  );
});
