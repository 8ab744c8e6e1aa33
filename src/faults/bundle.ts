// Builds the on-host fault program into one plain-JS file (.cache/faults/fault-main.mjs) with
// esbuild (already installed: tsx uses it), so starting a fault costs the target host ~40 ms of
// CPU instead of tsx's ~300 ms. Rebuilt when any source it bundles is newer; written to a temp
// file and renamed, so concurrent harnesses never run half a file. The harness calls this before
// it runs the program; hosts only execute the result (they share this file system).

import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { FAULT_BUNDLE, FAULT_MAIN, REPO_ROOT } from './program.ts';

function newestSource(): number {
  let newest = 0;
  for (const dir of ['src/faults', 'src/core']) {
    for (const f of readdirSync(path.join(REPO_ROOT, dir))) {
      if (f.endsWith('.ts')) newest = Math.max(newest, statSync(path.join(REPO_ROOT, dir, f)).mtimeMs);
    }
  }
  return newest;
}

/** Returns the bundle's path, building it first when it is missing or older than its sources. */
export function ensureFaultBundle(): string {
  if (existsSync(FAULT_BUNDLE) && statSync(FAULT_BUNDLE).mtimeMs >= newestSource()) return FAULT_BUNDLE;
  mkdirSync(path.dirname(FAULT_BUNDLE), { recursive: true });
  const tmp = `${FAULT_BUNDLE}.${process.pid}.tmp.mjs`;
  buildSync({
    entryPoints: [FAULT_MAIN],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: tmp,
    logLevel: 'error',
  });
  renameSync(tmp, FAULT_BUNDLE);
  return FAULT_BUNDLE;
}
