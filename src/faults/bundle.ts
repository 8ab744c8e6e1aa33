// The on-host fault program as one plain-JS file (.cache/faults/fault-main.mjs), so starting a
// fault costs the target host ~40 ms of CPU instead of tsx's ~300 ms. The harness calls this before
// it runs the program; hosts only execute the result (they share this file system).

import path from 'node:path';
import { ensureBundle } from '../core/bundle.ts';
import { FAULT_BUNDLE, FAULT_MAIN, REPO_ROOT } from './program.ts';

/** Returns the bundle's path, building it first when it is missing or older than its sources. */
export function ensureFaultBundle(): string {
  return ensureBundle(FAULT_MAIN, FAULT_BUNDLE, [
    path.join(REPO_ROOT, 'src', 'faults'),
    path.join(REPO_ROOT, 'src', 'core'),
  ]);
}
