// Shared by the importer tests: where the read-only data lives, temp dirs, and catching DatasetErrors.

import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetError } from '../../src/core/errors.ts';

/** The shared, read-only data directory (never copied into the repo). */
export const DATA = path.resolve(process.cwd(), '../shared/data');

/** A describe title that says why a data-driven suite is skipped when its input is absent. */
export function dataTitle(title: string, file: string): string {
  return existsSync(file) ? title : `${title} (SKIPPED: ${file} not found)`;
}

/** A fresh temp dir; `files` maps relative paths to contents. */
export function tempTree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-import-'));
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

/** Runs fn and returns the DatasetError it throws (fails the test on no error or another error). */
export function datasetError(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DatasetError) {
      // The CLI prints this as one line.
      if (err.message.includes('\n')) throw new Error(`multi-line DatasetError: ${err.message}`);
      return err;
    }
    throw err;
  }
  throw new Error('expected a DatasetError, nothing was thrown');
}

export function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s;
}
