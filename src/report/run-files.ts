// Results directories found on disk, with what an index needs and nothing heavier: results.json and
// the dataset's manifest (for the fault type and the run's date), never the metric files. Used by
// `foreshock runs` and `foreshock report --scoreboard`.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Manifest } from '../core/dataset.ts';
import { UserError } from '../core/errors.ts';
import { MANIFEST_FILE, readManifest } from '../data/dataset-io.ts';
import { canonicalJson, sha256Hex, shortHash } from './canonical.ts';
import { readResults, RESULTS_FILE, type ReportResults } from './inputs.ts';

export interface RunFile {
  /** The results directory. */
  dir: string;
  results: ReportResults;
  manifest: Manifest | null;
  /** Sorted distinct fault types, "control" without faults, "unknown" without the manifest. */
  faultType: string;
  /** sha256 (12 hex) over the canonical JSON of every algorithm's config, by name. */
  configHash: string;
}

/** Directories that are never results (and can be huge). */
const SKIP = new Set(['node_modules', '.git']);

/** Every directory under `root` (itself included) holding a results.json, sorted, to depth 8. */
export function findResultsDirs(root: string, depth = 8): string[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UserError(`${root}: no such directory`);
  const found: string[] = [];
  const walk = (dir: string, d: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === RESULTS_FILE)) found.push(dir);
    if (d >= depth) return;
    for (const e of entries)
      if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) walk(join(dir, e.name), d + 1);
  };
  walk(root, 0);
  return found.sort();
}

function manifestFor(results: ReportResults, dir: string): Manifest | null {
  const p = results.datasetPath;
  if (!p) return null;
  for (const candidate of [p, join(dir, p), join(dirname(dir), p)]) {
    if (!existsSync(join(candidate, MANIFEST_FILE))) continue;
    try {
      const m = readManifest(candidate);
      if (m.name === results.dataset) return m;
    } catch {
      // A broken manifest is as good as none here: the run is indexed under "unknown".
    }
  }
  return null;
}

export function faultTypeOfManifest(m: Manifest | null): string {
  if (!m) return 'unknown';
  const types = [...new Set(m.faults.map((f) => f.type))].sort();
  return types.length === 0 ? 'control' : types.join('+');
}

export function readRunFile(dir: string): RunFile {
  const { results } = readResults(dir);
  const manifest = manifestFor(results, dir);
  const configs: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(results.algorithms)) configs[name] = a.config;
  return {
    dir,
    results,
    manifest,
    faultType: faultTypeOfManifest(manifest),
    configHash: shortHash(sha256Hex(canonicalJson(configs))),
  };
}

/** A path as shown: relative to the working directory when under it. */
export function shownPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}
