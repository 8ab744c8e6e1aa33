// Builds one TypeScript entry point and what it imports into a single plain-JS file with esbuild
// (already installed: tsx uses it). Used for code that must start without tsx: the on-host fault
// program (a host pays ~40 ms of CPU for it instead of tsx's ~300 ms) and the agent's sampling
// thread (a worker thread does not inherit tsx's loader). Rebuilt when any source in `srcDirs` is
// newer; written to a temp file and renamed, so concurrent harnesses never run half a file.

import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

function newestSource(srcDirs: readonly string[]): number {
  let newest = 0;
  for (const dir of srcDirs) {
    for (const f of readdirSync(dir)) {
      if (f.endsWith('.ts')) newest = Math.max(newest, statSync(path.join(dir, f)).mtimeMs);
    }
  }
  return newest;
}

/** Returns `outfile`, building it from `entry` first when it is missing or older than its sources. */
export function ensureBundle(entry: string, outfile: string, srcDirs: readonly string[]): string {
  if (existsSync(outfile) && statSync(outfile).mtimeMs >= newestSource(srcDirs)) return outfile;
  mkdirSync(path.dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.tmp.mjs`;
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: tmp,
    logLevel: 'error',
  });
  renameSync(tmp, outfile);
  return outfile;
}
