// A bounded check of an Arrow IPC *file*'s framing, run before the bytes reach apache-arrow.
// apache-arrow trusts the lengths and offsets it reads: one flipped byte in a message length sent
// `tableFromIPC` into an endless loop (issue 26), and a try/catch cannot stop a loop. This walks the
// footer, every block it lists, each block's message header and each record batch's node and buffer
// lists, checking every offset and length against the bytes that are really there, in time linear in
// the metadata size. It does not interpret the data itself (apache-arrow and the column readers do).
// Layouts: the Arrow columnar format spec ("IPC File Format", "Encapsulated message format") and its
// flatbuffers schemas File.fbs, Message.fbs and Schema.fbs.

import { DatasetError } from '../core/errors.ts';

const MAGIC = 'ARROW1';
/** Bytes after the footer: int32 footer length + "ARROW1". */
const TAIL = 4 + MAGIC.length;
/** Bytes before the first message: "ARROW1" + 2 bytes of padding. */
const HEAD = 8;
/** Schema nesting deeper than this is refused (ours is flat; pyarrow's structs stay shallow). */
const MAX_FIELD_DEPTH = 64;

// MessageHeader union tags (Message.fbs).
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;

class FramingError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A flatbuffer view confined to [lo, hi) of the file: every read is bounds-checked and reports the
 * absolute file offset of what is wrong.
 */
class Region {
  private readonly view: DataView;
  constructor(
    bytes: Uint8Array,
    readonly lo: number,
    readonly hi: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(at: number, size: number, what: string): void {
    if (!Number.isInteger(at) || at < this.lo || at + size > this.hi) {
      throw new FramingError(at, `${what} lies outside its ${this.hi - this.lo}-byte region`);
    }
  }
  u8(at: number, what: string): number {
    this.need(at, 1, what);
    return this.view.getUint8(at);
  }
  u16(at: number, what: string): number {
    this.need(at, 2, what);
    return this.view.getUint16(at, true);
  }
  i32(at: number, what: string): number {
    this.need(at, 4, what);
    return this.view.getInt32(at, true);
  }
  u32(at: number, what: string): number {
    this.need(at, 4, what);
    return this.view.getUint32(at, true);
  }
  /** An int64 as a number; beyond 2^53 it is refused (no file here is that large). */
  i64(at: number, what: string): number {
    this.need(at, 8, what);
    const v = this.view.getBigInt64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new FramingError(at, `${what} is ${v}, out of range`);
    }
    return Number(v);
  }

  /** The table a uoffset at `at` points to. */
  table(at: number, what: string): Table {
    const pos = at + this.u32(at, `${what} offset`);
    const vtable = pos - this.i32(pos, `${what} vtable offset`);
    const vlen = this.u16(vtable, `${what} vtable`);
    if (vlen < 4 || vlen % 2 !== 0) throw new FramingError(vtable, `${what} has a bad vtable size ${vlen}`);
    this.need(vtable, vlen, `${what} vtable`);
    const tlen = this.u16(vtable + 2, `${what} vtable`);
    this.need(pos, Math.max(tlen, 4), what);
    return new Table(this, pos, vtable, vlen, tlen, what);
  }

  /** The vector a uoffset at `at` points to: its element count, checked to fit. */
  vector(at: number, elemSize: number, what: string): { start: number; length: number } {
    const pos = at + this.u32(at, `${what} offset`);
    const length = this.u32(pos, `${what} length`);
    this.need(pos + 4, length * elemSize, `${what} (${length} entries)`);
    return { start: pos + 4, length };
  }
}

class Table {
  constructor(
    readonly r: Region,
    readonly pos: number,
    private readonly vtable: number,
    private readonly vlen: number,
    private readonly tlen: number,
    readonly what: string,
  ) {}
  /** Absolute position of field `id`, or null when absent; checked to lie inside the table. */
  field(id: number, size: number): number | null {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vlen) return null;
    const off = this.r.u16(this.vtable + slot, `${this.what} vtable`);
    if (off === 0) return null;
    if (off + size > this.tlen) {
      throw new FramingError(this.pos + off, `${this.what} field ${id} lies outside its table`);
    }
    return this.pos + off;
  }
  i64(id: number, fallback: number): number {
    const at = this.field(id, 8);
    return at === null ? fallback : this.r.i64(at, `${this.what} field ${id}`);
  }
  u8(id: number, fallback: number): number {
    const at = this.field(id, 1);
    return at === null ? fallback : this.r.u8(at, `${this.what} field ${id}`);
  }
  table(id: number, what: string): Table | null {
    const at = this.field(id, 4);
    return at === null ? null : this.r.table(at, what);
  }
  vector(id: number, elemSize: number, what: string): { start: number; length: number } {
    const at = this.field(id, 4);
    return at === null ? { start: 0, length: 0 } : this.r.vector(at, elemSize, what);
  }
  string(id: number, what: string): void {
    this.vector(id, 1, what);
  }
}

interface Block {
  offset: number;
  metaDataLength: number;
  bodyLength: number;
}

/**
 * Checks the framing of an Arrow IPC file; throws a one-line DatasetError naming `file` and the
 * byte offset of the first thing that does not fit. Returns silently when apache-arrow can be
 * trusted with the bytes.
 */
export function checkArrowFraming(bytes: Uint8Array, file: string): void {
  try {
    checkFile(bytes);
  } catch (err) {
    if (err instanceof FramingError) {
      throw new DatasetError(file, `corrupt Arrow file at byte offset ${err.offset}: ${err.message}`);
    }
    throw err;
  }
}

function checkFile(bytes: Uint8Array): void {
  const size = bytes.length;
  const text = (from: number): string =>
    Buffer.from(bytes.subarray(from, from + MAGIC.length)).toString('latin1');
  if (size < HEAD + TAIL) throw new FramingError(0, `file of ${size} bytes is too short for an Arrow file`);
  if (text(0) !== MAGIC) throw new FramingError(0, 'no ARROW1 magic at the start');
  if (text(size - MAGIC.length) !== MAGIC)
    throw new FramingError(size - MAGIC.length, 'no ARROW1 magic at the end');
  const whole = new Region(bytes, 0, size);
  const footerLength = whole.i32(size - TAIL, 'footer length');
  const footerStart = size - TAIL - footerLength;
  if (footerLength <= 0 || footerStart < HEAD) {
    throw new FramingError(size - TAIL, `footer length ${footerLength} does not fit the file`);
  }
  const footer = new Region(bytes, footerStart, size - TAIL).table(footerStart, 'footer');
  const schema = footer.table(1, 'footer schema');
  if (!schema) throw new FramingError(footerStart, 'footer has no schema');
  checkSchema(schema);
  const dictionaries = blocks(footer, 2, 'dictionary block list');
  const batches = blocks(footer, 3, 'record batch block list');
  for (const block of dictionaries) checkBlock(bytes, block, footerStart, HEADER_DICTIONARY_BATCH);
  for (const block of batches) checkBlock(bytes, block, footerStart, HEADER_RECORD_BATCH);
}

function blocks(footer: Table, id: number, what: string): Block[] {
  // struct Block { offset: long; metaDataLength: int; (4 bytes padding) bodyLength: long; }
  const { start, length } = footer.vector(id, 24, what);
  const out: Block[] = [];
  for (let k = 0; k < length; k++) {
    const at = start + 24 * k;
    out.push({
      offset: footer.r.i64(at, `${what} entry ${k} offset`),
      metaDataLength: footer.r.i32(at + 8, `${what} entry ${k} metadata length`),
      bodyLength: footer.r.i64(at + 16, `${what} entry ${k} body length`),
    });
  }
  return out;
}

function checkSchema(schema: Table): void {
  const fields = schema.vector(1, 4, 'schema field list');
  for (let k = 0; k < fields.length; k++)
    checkField(schema.r.table(fields.start + 4 * k, `schema field ${k}`), 1);
  checkKeyValues(schema, 2);
}

function checkField(field: Table, depth: number): void {
  if (depth > MAX_FIELD_DEPTH)
    throw new FramingError(field.pos, `schema nests deeper than ${MAX_FIELD_DEPTH}`);
  field.string(0, `${field.what} name`);
  field.table(3, `${field.what} type`);
  const dictionary = field.table(4, `${field.what} dictionary encoding`);
  if (dictionary) dictionary.table(1, `${field.what} dictionary index type`);
  const children = field.vector(5, 4, `${field.what} children`);
  for (let k = 0; k < children.length; k++) {
    checkField(field.r.table(children.start + 4 * k, `${field.what} child ${k}`), depth + 1);
  }
  checkKeyValues(field, 6);
}

function checkKeyValues(table: Table, id: number): void {
  const list = table.vector(id, 4, `${table.what} metadata`);
  for (let k = 0; k < list.length; k++) {
    const kv = table.r.table(list.start + 4 * k, `${table.what} metadata entry ${k}`);
    kv.string(0, `${kv.what} key`);
    kv.string(1, `${kv.what} value`);
  }
}

function checkBlock(bytes: Uint8Array, block: Block, footerStart: number, header: number): void {
  const { offset, metaDataLength, bodyLength } = block;
  if (
    offset < HEAD ||
    metaDataLength < 8 ||
    bodyLength < 0 ||
    offset + metaDataLength + bodyLength > footerStart
  ) {
    throw new FramingError(
      offset,
      `block (metadata ${metaDataLength} bytes, body ${bodyLength} bytes) does not fit before the footer at ${footerStart}`,
    );
  }
  const whole = new Region(bytes, offset, offset + metaDataLength);
  // Encapsulated message: 0xFFFFFFFF continuation, int32 length, flatbuffer Message (an older form
  // omits the continuation marker).
  let prefix = 4;
  let length = whole.i32(offset, 'message length');
  if (length === -1) {
    prefix = 8;
    length = whole.i32(offset + 4, 'message length');
  }
  if (length <= 0 || prefix + length > metaDataLength) {
    throw new FramingError(offset, `message length ${length} does not fit its ${metaDataLength}-byte block`);
  }
  const start = offset + prefix;
  const message = new Region(bytes, start, start + length).table(start, 'message');
  const type = message.u8(1, 0);
  if (type !== header) {
    throw new FramingError(
      start,
      `message is of type ${type}, expected ${header === HEADER_RECORD_BATCH ? 'a record batch' : 'a dictionary batch'}`,
    );
  }
  const messageBody = message.i64(3, 0);
  if (messageBody !== bodyLength) {
    throw new FramingError(
      start,
      `message body length ${messageBody} differs from its block's ${bodyLength}`,
    );
  }
  let batch = message.table(2, 'message header');
  if (!batch) throw new FramingError(start, 'message has no header');
  if (header === HEADER_DICTIONARY_BATCH) {
    batch = batch.table(1, 'dictionary batch data');
    if (!batch) throw new FramingError(start, 'dictionary batch has no data');
  }
  checkRecordBatch(batch, bodyLength);
}

function checkRecordBatch(batch: Table, bodyLength: number): void {
  // Every column type but Null needs at least a bit per row in the body: a row count beyond that
  // is a lie that would send a reader into a long loop.
  const maxRows = Math.max(bodyLength, 1) * 8;
  const rows = batch.i64(0, 0);
  if (rows < 0 || rows > maxRows) {
    throw new FramingError(batch.pos, `record batch claims ${rows} rows in a ${bodyLength}-byte body`);
  }
  // struct FieldNode { length: long; null_count: long; }
  const nodes = batch.vector(1, 16, 'record batch node list');
  for (let k = 0; k < nodes.length; k++) {
    const at = nodes.start + 16 * k;
    const length = batch.r.i64(at, `node ${k} length`);
    const nulls = batch.r.i64(at + 8, `node ${k} null count`);
    if (length < 0 || length > maxRows || nulls < 0 || nulls > length) {
      throw new FramingError(
        at,
        `node ${k} claims ${length} rows with ${nulls} nulls in a ${bodyLength}-byte body`,
      );
    }
  }
  // struct Buffer { offset: long; length: long; } relative to the body.
  const buffers = batch.vector(2, 16, 'record batch buffer list');
  for (let k = 0; k < buffers.length; k++) {
    const at = buffers.start + 16 * k;
    const off = batch.r.i64(at, `buffer ${k} offset`);
    const len = batch.r.i64(at + 8, `buffer ${k} length`);
    if (off < 0 || len < 0 || off + len > bodyLength) {
      throw new FramingError(
        at,
        `buffer ${k} (offset ${off}, ${len} bytes) lies outside its ${bodyLength}-byte body`,
      );
    }
  }
  if (batch.field(3, 4) !== null) batch.table(3, 'record batch compression');
}
