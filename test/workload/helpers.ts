// Shared by the workload tests: where the RUBiS data files are (the copy shipped in data/rubis),
// a describe title that says why a suite is skipped, temp files, and process checks.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The RUBiS data files (transition tables, database lists): shipped in data/rubis. */
export const RUBIS = path.resolve(process.cwd(), 'data/rubis');
export const HAVE_RUBIS = existsSync(path.join(RUBIS, 'default_transitions.txt'));

/** A describe title that says why the suite is skipped when the RUBiS files are absent. */
export function rubisTitle(title: string): string {
  return HAVE_RUBIS ? title : `${title} (SKIPPED: ${RUBIS} not found)`;
}

const tempDirs: string[] = [];

/** A file in a fresh temp directory (removed by removeTempFiles). */
export function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-workload-'));
  tempDirs.push(dir);
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

export function removeTempFiles(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until none of the pids exists (processes being reaped), at most `ms`. */
export async function waitGone(pids: number[], ms = 10_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = left.filter(alive);
  }
  return left;
}

const ROW_LABELS = [
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
  'StoreBuyBow',
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
  'AboutMe (auth form)',
  'AboutMe',
  'Back probability',
  'End of Session',
];

/**
 * A transition table in RUBiS's file layout (title row, blank row, the two-line quoted header, 29
 * rows, the trailing "Header probability" row). `p(from, to)` gives column `from`'s probability of
 * destination row `to` (27 = Back, 28 = End of Session).
 */
export function tableText(
  p: (from: number, to: number) => number,
  wait = (to: number) => 1000 * (to + 1),
): string {
  const tabs = '\t'.repeat(28);
  const lines = [
    `RUBiS Transition Table\tTest transition set${tabs.slice(2)}`,
    tabs,
    '"To >>>',
    `From vvvv  "\t${ROW_LABELS.slice(0, 27).join('\t')}\tTransition waiting time`,
  ];
  for (let to = 0; to < 29; to++) {
    const cells = Array.from({ length: 27 }, (_, from) => String(p(from, to)));
    lines.push(`${ROW_LABELS[to]}\t${cells.join('\t')}\t${to >= 27 ? 0 : wait(to)}`);
  }
  lines.push(`Header probability\t${'0\t'.repeat(26)}0`);
  return `${lines.join('\n')}\n`;
}
