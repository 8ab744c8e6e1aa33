// The Arrow framing pre-check (src/data/arrow-framing.ts): the byte flip of issue 26 that made
// apache-arrow loop for ever now fails fast with one line naming the file and the offset, and every
// other single-byte change of a small file's metadata either reads or fails as a user error. Reads
// run in a worker thread with a time limit, so a regression fails this test instead of hanging it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { writeDataset } from '../../src/data/dataset-io.ts';
import { checkArrowFraming } from '../../src/data/arrow-framing.ts';
import { DatasetError } from '../../src/core/errors.ts';
import { BoundedRunner } from '../helpers/bounded.ts';
import { tinyDataset } from '../helpers/tiny-dataset.ts';

const root = mkdtempSync(join(tmpdir(), 'foreshock-framing-'));
const runner = new BoundedRunner(fileURLToPath(new URL('../fuzz/readers.ts', import.meta.url)));
afterAll(async () => {
  await runner.close();
  rmSync(root, { recursive: true, force: true });
});

const valid = join(root, 'valid');
writeDataset(valid, tinyDataset({ seconds: 6, slo: '..XX..' }));
const metricsBytes = readFileSync(join(valid, 'metrics.arrow'));

/** Offsets of every message's 0xFFFFFFFF continuation marker (not the end-of-stream marker, length 0). */
function continuationMarkers(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 8; i + 4 <= bytes.length; i += 8) {
    if (
      bytes[i] === 0xff &&
      bytes[i + 1] === 0xff &&
      bytes[i + 2] === 0xff &&
      bytes[i + 3] === 0xff &&
      readInt32(bytes, i + 4) !== 0
    )
      out.push(i);
  }
  return out;
}

function readInt32(bytes: Uint8Array, at: number): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readInt32LE(at);
}

function damaged(name: string, edit: (b: Buffer) => void): string {
  const dir = join(root, name);
  cpSync(valid, dir, { recursive: true });
  const bytes = Buffer.from(metricsBytes);
  edit(bytes);
  writeFileSync(join(dir, 'metrics.arrow'), bytes);
  return dir;
}

describe('Arrow framing pre-check', () => {
  it('reads a valid file', async () => {
    const out = await runner.run('readDatasetSummary', [valid], 20_000);
    expect(out).toEqual({ kind: 'ok', value: { rows: 12, hosts: 2 } });
  });

  it("issue 26's flip (the last 0xFF of a message's continuation marker -> 0xEF) fails fast, one line, with the offset", async () => {
    // In the file this byte sat at offset 227: the marker of the record batch after the
    // dictionary batch. Here: the same byte of every message the footer lists.
    const markers = continuationMarkers(metricsBytes);
    expect(markers.length).toBe(2);
    for (const at of markers) {
      const dir = damaged(`flip-${at}`, (b) => (b[at + 3] = 0xef));
      // A hang fails the worker's time limit; how fast it fails is a benchmark's business, not a test's.
      const out = await runner.run('readDatasetSummary', [dir], 20_000);
      expect(out.kind).toBe('error');
      if (out.kind !== 'error') continue;
      expect(out.chain).toContain('UserError');
      expect(out.message).not.toContain('\n');
      expect(out.message).toContain(join(dir, 'metrics.arrow'));
      expect(out.message).toMatch(new RegExp(`byte offset ${at}\\b`));
    }
  });

  it('names the footer when its length does not fit', () => {
    const bytes = Buffer.from(metricsBytes);
    bytes.writeInt32LE(bytes.length, bytes.length - 10);
    expect(() => checkArrowFraming(bytes, 'x/metrics.arrow')).toThrow(DatasetError);
    expect(() => checkArrowFraming(bytes, 'x/metrics.arrow')).toThrow(
      /^x\/metrics\.arrow: corrupt Arrow file at byte offset \d+: footer length/,
    );
  });

  it('every single-byte change in the metadata reads or is a one-line user error, never a hang', async () => {
    // The footer and the first message headers: where the lengths and offsets are. Each byte is
    // XORed with 0x10 (the flip) and with 0xFF.
    const footerStart = metricsBytes.length - 10 - metricsBytes.readInt32LE(metricsBytes.length - 10);
    const positions = [
      ...Array.from({ length: 256 }, (_, i) => i),
      ...Array.from({ length: metricsBytes.length - footerStart }, (_, i) => footerStart + i),
    ];
    const failures: string[] = [];
    for (const at of positions) {
      for (const mask of [0x10, 0xff]) {
        const bytes = Uint8Array.from(metricsBytes);
        bytes[at] = bytes[at]! ^ mask;
        const out = await runner.run('readArrowSummary', [bytes, 'd/metrics.arrow'], 10_000);
        if (out.kind === 'timeout') failures.push(`${at}^${mask}: hang`);
        else if (out.kind === 'error' && (!out.chain.includes('UserError') || out.message.includes('\n')))
          failures.push(`${at}^${mask}: ${out.name}: ${out.message.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
