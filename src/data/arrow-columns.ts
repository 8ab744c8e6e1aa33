// Arrow <-> typed-array helpers for the dataset files. Times and metric values are Float64 (never
// Int64: BigInt breaks JSON); a missing value is an Arrow null on disk and NaN in memory.

import {
  Dictionary,
  Float64,
  Int32,
  Table,
  Type,
  Utf8,
  Vector,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import { DatasetError } from '../core/errors.ts';
import { checkArrowFraming } from './arrow-framing.ts';

const MAGIC = 'ARROW1';

/** A Float64 column whose NaNs are written as Arrow nulls. */
export function floatColumn(values: Float64Array): Vector {
  const n = values.length;
  let nulls = 0;
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i]!)) nulls++;
  if (nulls === 0) return makeVector(values);
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (!Number.isNaN(values[i]!)) bitmap[i >> 3]! |= 1 << (i & 7);
  return new Vector([
    makeData({ type: new Float64(), data: values, nullBitmap: bitmap, length: n, nullCount: nulls }),
  ]);
}

/** A dictionary-encoded string column (host ids): small on disk, read back as strings anywhere. */
export function dictionaryColumn(indices: Int32Array, dictionary: string[]): Vector {
  const dict = vectorFromArray(dictionary, new Utf8());
  // A fixed dictionary id (Arrow JS otherwise takes one from a global counter) keeps files byte-identical.
  const type = new Dictionary(new Utf8(), new Int32(), 0);
  return new Vector([makeData({ type, data: indices, dictionary: dict, length: indices.length })]);
}

export function writeTable(columns: Record<string, Vector>): Uint8Array {
  return tableToIPC(new Table(columns), 'file');
}

/**
 * Parses an Arrow IPC *file*; a missing head or tail magic, framing that does not fit the file (see
 * arrow-framing.ts) or anything apache-arrow refuses is a one-line DatasetError.
 */
export function readTable(bytes: Uint8Array, file: string): Table {
  if (bytes.length === 0) throw new DatasetError(file, 'empty file');
  const head = Buffer.from(bytes.subarray(0, 6)).toString('latin1');
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 6))).toString('latin1');
  if (head !== MAGIC) throw new DatasetError(file, 'not an Arrow IPC file (no ARROW1 magic at the start)');
  if (tail !== MAGIC) throw new DatasetError(file, 'truncated Arrow file (no ARROW1 footer at the end)');
  // apache-arrow trusts lengths and offsets (a bad one can make it loop for ever): check them first.
  checkArrowFraming(bytes, file);
  try {
    return tableFromIPC(bytes);
  } catch (err) {
    throw new DatasetError(file, `corrupt Arrow file (${(err as Error).message})`);
  }
}

function isNumeric(type: DataType): boolean {
  return type.typeId === Type.Float || type.typeId === Type.Int;
}

/**
 * Reads a numeric column into a Float64Array, nulls -> NaN. Rejects non-numeric types and, unless
 * `allowNull`, nulls; always rejects NaN and +-Infinity stored as values (they are not "missing").
 */
export function readFloatColumn(
  table: Table,
  name: string,
  file: string,
  opts: { allowNull: boolean },
): Float64Array {
  const vector = table.getChild(name);
  if (!vector) throw new DatasetError(file, `missing column "${name}"`);
  const type = vector.type as DataType;
  const isTimestamp = type.typeId === Type.Timestamp;
  if (!isNumeric(type) && !isTimestamp) {
    throw new DatasetError(file, `column "${name}" has type ${String(type)}, expected a number (Float64)`);
  }
  const out = new Float64Array(vector.length);
  let row = 0;
  for (const chunk of vector.data as Data[]) {
    const scale = isTimestamp ? timestampToMs((chunk.type as unknown as { unit: number }).unit) : 1;
    for (let i = 0; i < chunk.length; i++, row++) {
      if (!chunk.getValid(i)) {
        if (!opts.allowNull) throw new DatasetError(file, `column "${name}" has a null at row ${row}`);
        out[row] = NaN;
        continue;
      }
      const raw = chunk.values[i] as number | bigint;
      const v = (typeof raw === 'bigint' ? Number(raw) : raw) * scale;
      if (!Number.isFinite(v)) {
        throw new DatasetError(
          file,
          `column "${name}" has ${String(v)} at row ${row} (use null for a missing value)`,
        );
      }
      out[row] = v;
    }
  }
  return out;
}

function timestampToMs(unit: number): number {
  // TimeUnit: 0 s, 1 ms, 2 us, 3 ns.
  return [1000, 1, 1e-3, 1e-6][unit] ?? 1;
}

/** Reads a string column (plain Utf8 or dictionary-encoded) into indices + distinct values. */
export function readStringColumn(
  table: Table,
  name: string,
  file: string,
): { index: Int32Array; values: string[] } {
  const vector = table.getChild(name);
  if (!vector) throw new DatasetError(file, `missing column "${name}"`);
  const type = vector.type as DataType;
  const isDict = type.typeId === Type.Dictionary && (type as Dictionary).dictionary.typeId === Type.Utf8;
  if (type.typeId !== Type.Utf8 && !isDict) {
    throw new DatasetError(file, `column "${name}" has type ${String(type)}, expected strings`);
  }
  const ids = new Map<string, number>();
  const values: string[] = [];
  const index = new Int32Array(vector.length);
  let row = 0;
  const intern = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = values.length;
      ids.set(s, id);
      values.push(s);
    }
    return id;
  };
  for (const chunk of vector.data as Data[]) {
    // Dictionary chunks: map each dictionary entry once, then translate indices (fast path for host ids).
    const dict = isDict ? (chunk.dictionary as Vector | undefined) : undefined;
    const dictIds = dict ? Array.from({ length: dict.length }, (_, k) => intern(String(dict.get(k)))) : null;
    for (let i = 0; i < chunk.length; i++, row++) {
      if (!chunk.getValid(i)) throw new DatasetError(file, `column "${name}" has a null at row ${row}`);
      index[row] = dictIds ? dictIds[chunk.values[i] as number]! : intern(vector.get(row) as string);
    }
  }
  return { index, values };
}
