// Generates and loads the RUBiS database into a MariaDB server, as a one-shot process on another
// host (the remote stack runs it on the web host, the only one its database lets in). The config
// comes on stdin, not in argv, because it carries the database password (argv is visible to
// every user of that host in `ps`). Prints one line and exits:
//   LOADED {"rows": {...}, "ms": N}   (exit 0)     FAILED <one line>   (exit 1)
//
//   echo '<LoadConfig json>' | node bin/run-ts.js src/workload/tiers/load-main.ts

import type { CategorySpec } from '../data-files.ts';
import { loadMariaDb } from '../db/load.ts';
import { connectMariaDb, type MariaDbTarget } from '../db/mariadb.ts';

export interface LoadConfig {
  target: MariaDbTarget;
  scale: number;
  seed: number;
  /** The database's "now" (epoch ms), chosen by the harness so every run of one config matches. */
  now: number;
  categories: CategorySpec[];
  regions: string[];
}

export interface LoadResult {
  rows: Record<string, number>;
  ms: number;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  let config: LoadConfig;
  try {
    config = JSON.parse(await readStdin()) as LoadConfig;
  } catch {
    throw new Error('no JSON config on stdin');
  }
  const db = await connectMariaDb(config.target);
  try {
    const report = await loadMariaDb(db, {
      scale: config.scale,
      seed: config.seed,
      now: config.now,
      categories: config.categories,
      regions: config.regions,
    });
    const result: LoadResult = { rows: report.rows, ms: Math.round(report.ms) };
    process.stdout.write(`LOADED ${JSON.stringify(result)}\n`);
  } finally {
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const message = ((err as Error)?.message ?? String(err)).split('\n')[0];
    process.stdout.write(`FAILED ${message}\n`);
    process.exit(1);
  },
);
