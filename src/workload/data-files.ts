// The RUBiS data files: transition tables (one per mix) and the category and region lists. They are
// Rice University's RUBiS files (BSD-style licence: results must cite Rice University and the
// developers E. Cecchet and J. Marguerite). They ship in this repository under data/rubis (with
// that attribution in its README), so a fresh clone runs without ../shared; `--data` picks another
// directory.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetError, UserError } from '../core/errors.ts';

/** The two RUBiS mixes and their transition-table files. */
export const MIXES = {
  bidding: 'default_transitions.txt',
  browsing: 'browse_only_transitions.txt',
} as const;
export type Mix = keyof typeof MIXES;

export const CATEGORIES_FILE = 'database/ebay_simple_categories.txt';
export const REGIONS_FILE = 'database/ebay_regions.txt';

export const RUBIS_CITATION =
  'RUBiS data files: Rice University, E. Cecchet and J. Marguerite (Rice BSD-style licence)';

/** The repository root (this file is src/workload/data-files.ts). */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Default data directory: the copy shipped in the repository (data/rubis). */
export function defaultDataDir(): string {
  return path.join(REPO_ROOT, 'data', 'rubis');
}

export function parseMix(name: string): Mix {
  if (Object.prototype.hasOwnProperty.call(MIXES, name)) return name as Mix;
  throw new UserError(`unknown mix "${name}" (known: ${Object.keys(MIXES).join(', ')})`);
}

/**
 * Path of a RUBiS data file; a missing one is a one-line UserError naming it and saying how to fix
 * it (a fresh clone without ../shared has none of them).
 */
export function dataFile(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  if (!existsSync(file)) {
    throw new UserError(
      `RUBiS data file ${file} is missing (give --data <dir> with the RUBiS transition tables and database/ lists)`,
    );
  }
  return file;
}

export function readDataText(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DatasetError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export interface CategorySpec {
  name: string;
  /** Active items of this category in RUBiS's default (full-size) database. */
  items: number;
}

/**
 * Reads a category list: one `Name (count)` per line. Indented lines are sub-categories (the
 * `ebay_full_categories.txt` layout); where a category has them, its sub-categories are used
 * (as `Parent: Child`) and the parent's own line, which is their sum, is not.
 */
export function parseCategories(text: string, file: string): CategorySpec[] {
  const out: CategorySpec[] = [];
  let parent: { spec: CategorySpec; children: number } | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const m = /^(\s*)(.+?)\s*\((\d+)\)\s*$/.exec(raw);
    if (!m) throw new DatasetError(file, `line ${i + 1}: expected "Name (count)", got "${raw.trim()}"`);
    const indented = m[1]!.length > 0;
    const name = m[2]!;
    const items = Number(m[3]);
    if (indented) {
      if (!parent) throw new DatasetError(file, `line ${i + 1}: sub-category "${name}" before any category`);
      if (parent.children === 0) out.pop(); // the parent line is replaced by its children
      parent.children++;
      out.push({ name: `${parent.spec.name}: ${name}`, items });
    } else {
      const spec = { name, items };
      out.push(spec);
      parent = { spec, children: 0 };
    }
  }
  if (out.length === 0) throw new DatasetError(file, 'no categories');
  return out;
}

/** Reads a region list: one region name per line. */
export function parseRegions(text: string, file: string): string[] {
  const regions = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (regions.length === 0) throw new DatasetError(file, 'no regions');
  const seen = new Set<string>();
  for (const r of regions) {
    if (seen.has(r)) throw new DatasetError(file, `region "${r}" listed twice`);
    seen.add(r);
  }
  return regions;
}

export function readCategories(dataDir: string): CategorySpec[] {
  const file = dataFile(dataDir, CATEGORIES_FILE);
  return parseCategories(readDataText(file), file);
}

export function readRegions(dataDir: string): string[] {
  const file = dataFile(dataDir, REGIONS_FILE);
  return parseRegions(readDataText(file), file);
}
