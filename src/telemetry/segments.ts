// Crash-tolerant recording segments: Arrow IPC *stream* files appended one record batch at a time.
// A stream that was cut off (SIGKILL mid-write) still yields every complete batch, which the IPC
// *file* format cannot (its footer comes last). Each segment holds `batchesPerSegment` batches and
// then a new file starts, so the writer's buffer stays small and a broken file costs little.
//
// Files: <dir>/<prefix>-<000001>.arrows, read back in name order.

import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  RecordBatchReader,
  RecordBatchStreamWriter,
  Table,
  type RecordBatch,
  type Vector,
} from 'apache-arrow';

export const SEGMENT_EXT = '.arrows';

export class SegmentWriter {
  private writer: RecordBatchStreamWriter | null = null;
  private written = 0;
  private batches = 0;
  private index = 0;

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly batchesPerSegment = 60,
  ) {
    // Continue after existing segments (a recorder restarted on the same directory).
    this.index = listSegments(dir, prefix).length;
  }

  /** Appends one batch (all columns the same length, same names and types every time). */
  append(columns: Record<string, Vector>): void {
    const table = new Table(columns);
    if (table.numRows === 0) return;
    if (!this.writer || this.batches >= this.batchesPerSegment) this.rotate();
    for (const batch of table.batches) this.writer!.write(batch);
    // The writer's buffer is cumulative: append only the bytes not yet on disk.
    const bytes = this.writer!.toUint8Array(true);
    appendFileSync(this.file(), bytes.subarray(this.written));
    this.written = bytes.length;
    this.batches++;
  }

  close(): void {
    this.writer = null;
  }

  private rotate(): void {
    this.index++;
    this.writer = new RecordBatchStreamWriter();
    this.written = 0;
    this.batches = 0;
  }

  private file(): string {
    return join(this.dir, `${this.prefix}-${String(this.index).padStart(6, '0')}${SEGMENT_EXT}`);
  }
}

export function listSegments(dir: string, prefix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith(SEGMENT_EXT))
    .sort()
    .map((f) => join(dir, f));
}

export interface SegmentRead {
  batches: RecordBatch[];
  /** Segments whose tail was torn (the complete batches before the tear are kept). */
  torn: string[];
}

/** Every complete batch of every segment, in order. */
export function readSegments(dir: string, prefix: string): SegmentRead {
  const batches: RecordBatch[] = [];
  const torn: string[] = [];
  for (const file of listSegments(dir, prefix)) {
    const bytes = readFileSync(file);
    if (bytes.length === 0) continue;
    try {
      for (const batch of RecordBatchReader.from(bytes)) batches.push(batch);
    } catch {
      // The batches yielded before the error were complete; the rest is the torn tail.
      torn.push(file);
    }
  }
  return { batches, torn };
}
