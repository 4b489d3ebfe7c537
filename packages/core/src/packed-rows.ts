import { sluiceError } from "./errors.js";
import type { RowBatch, SourceValue } from "./row-batch.js";

/**
 * How one column's value text becomes a SourceValue:
 * - `integer`: decimal digits (optional sign) as a `number` (columns of at most 32 bits);
 * - `text`: UTF-8 bytes as a `string` (ill-formed sequences become U+FFFD, as any
 *   WHATWG decoder does);
 * - `ascii`: the same, for columns whose values are always ASCII (numbers as text,
 *   dates, times): decoded without looking for other bytes;
 * - `bytes`: the bytes themselves, as a `Uint8Array` view.
 */
export type ValueDecoding = "integer" | "text" | "ascii" | "bytes";

/**
 * Rows still in the form they arrived in: per value, a length-encoded byte string, the
 * row form of MySQL's text protocol. A length below 251 is one byte; 0xFC, 0xFD and
 * 0xFE introduce a 2-, 3- and 8-byte little-endian length; 0xFB alone is SQL NULL.
 * Rows follow each other with nothing in between. Handing these bytes to another
 * thread is a transfer of one ArrayBuffer, where row objects would be a deep copy
 * (docs/adr/0030-packed-rows-to-the-encoding-thread.md).
 */
export interface PackedRows {
  /** The rows' bytes: `bytes.byteLength` is exactly the rows, nothing after them. */
  readonly bytes: Uint8Array;
  readonly rowCount: number;
  /** One per column, in `TableSpec.columns` order. */
  readonly decodings: readonly ValueDecoding[];
}

/**
 * A batch whose rows are still packed, from a source asked for them
 * (`Source.extractPacked`). Its last row is decoded already: who tracks positions,
 * page ends and resume points needs that row only.
 */
export interface PackedRowBatch {
  readonly packed: PackedRows;
  readonly lastRow: readonly SourceValue[];
}

export type AnyRowBatch = RowBatch | PackedRowBatch;

export const isPackedBatch = (batch: AnyRowBatch): batch is PackedRowBatch => "packed" in batch;

/** Rows in the batch, packed or not. */
export const batchRowCount = (batch: AnyRowBatch): number =>
  isPackedBatch(batch) ? batch.packed.rowCount : batch.rows.length;

/** The batch's last row (undefined for an empty batch). */
export const batchLastRow = (batch: AnyRowBatch): readonly SourceValue[] | undefined =>
  isPackedBatch(batch) ? batch.lastRow : batch.rows[batch.rows.length - 1];

/** The batch's rows as arrays of values, decoding packed ones. */
export const batchRows = (batch: AnyRowBatch): readonly (readonly SourceValue[])[] =>
  isPackedBatch(batch) ? decodePackedRows(batch.packed) : batch.rows;

const NULL_VALUE = 0xfb;

/** A length that does not fit in one byte: 0xFC, 0xFD or 0xFE and 2, 3 or 8 bytes after it. */
function longLength(bytes: Uint8Array, at: number, first: number): number {
  const b = (offset: number) => bytes[at + offset] as number;
  if (first === 0xfc) return b(1) | (b(2) << 8);
  if (first === 0xfd) return b(1) | (b(2) << 8) | (b(3) << 16);
  if (first === 0xfe) {
    // An 8-byte length: a value that large could not be in memory past 2^53.
    return (b(1) | (b(2) << 8) | (b(3) << 16)) + b(4) * 2 ** 24 + b(5) * 2 ** 32 + b(6) * 2 ** 40;
  }
  throw sluiceError("internal", `Packed rows: byte 0x${first.toString(16)} at ${at} starts no value length.`);
}

/** Bytes taken by a length that starts with `first` (not NULL). */
const lengthBytes = (first: number): number =>
  first < 0xfb ? 1 : first === 0xfc ? 3 : first === 0xfd ? 4 : 9;

/** ASCII digits (an optional sign first) as a number; the source sends nothing else for these columns. */
function integerAt(bytes: Uint8Array, start: number, end: number): number {
  let position = start;
  let sign = 1;
  if (bytes[position] === 45) {
    sign = -1;
    position++;
  } else if (bytes[position] === 43) position++;
  let value = 0;
  for (; position < end; position++) {
    const digit = (bytes[position] as number) - 48;
    if (digit < 0 || digit > 9) {
      throw sluiceError(
        "internal",
        `Packed rows: an integer column holds "${Buffer.from(bytes.subarray(start, end)).toString("latin1")}", which is not an integer.`,
      );
    }
    value = value * 10 + digit;
  }
  return value * sign;
}

/**
 * A value's text. `latin1` is the whole batch decoded as Latin-1 once: for ASCII bytes
 * that is the UTF-8 text too, and a substring of it costs a fraction of a native decode
 * call per value (measured: ~40 ns against ~250 ns). A value with any byte >= 0x80 is
 * decoded as UTF-8 on its own, ill-formed sequences becoming U+FFFD as in mysql2.
 * Columns whose values are always ASCII (numbers, dates) skip the scan.
 */
function textAt(view: Buffer, latin1: string, start: number, end: number, ascii: boolean): string {
  if (!ascii) {
    let bits = 0;
    for (let position = start; position < end; position++) bits |= view[position] as number;
    if (bits >= 0x80) return view.toString("utf8", start, end);
  }
  return latin1.substring(start, end);
}

/** Decodes the row that starts at `at` into `row`; returns where it ends. */
export function decodePackedRow(
  bytes: Uint8Array,
  at: number,
  decodings: readonly ValueDecoding[],
  row: SourceValue[],
): number {
  const view = asBuffer(bytes);
  return decodeRow(view, view.toString("latin1"), at, decodingCodes(decodings), row);
}

const INTEGER = 0;
const TEXT = 1;
const ASCII = 2;
const BYTES = 3;
const codeOf: Record<ValueDecoding, number> = { integer: INTEGER, text: TEXT, ascii: ASCII, bytes: BYTES };
const decodingCodes = (decodings: readonly ValueDecoding[]): Uint8Array =>
  Uint8Array.from(decodings, (decoding) => codeOf[decoding]);

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function decodeRow(view: Buffer, latin1: string, at: number, codes: Uint8Array, row: SourceValue[]): number {
  let position = at;
  const columns = codes.length;
  for (let column = 0; column < columns; column++) {
    const first = view[position];
    if (first === undefined) {
      throw sluiceError(
        "internal",
        `Packed rows end inside a row (column ${column + 1} of ${columns} at byte ${position}).`,
      );
    }
    if (first === NULL_VALUE) {
      row[column] = null;
      position += 1;
      continue;
    }
    let start = position + 1;
    let length = first;
    if (first > NULL_VALUE) {
      length = longLength(view, position, first);
      start = position + lengthBytes(first);
    }
    const end = start + length;
    if (end > view.length) {
      throw sluiceError("internal", `Packed rows end inside a value (column ${column + 1}, byte ${start}).`);
    }
    const code = codes[column];
    if (code === INTEGER) row[column] = integerAt(view, start, end);
    else if (code === BYTES) row[column] = view.subarray(start, end);
    else row[column] = textAt(view, latin1, start, end, code === ASCII);
    position = end;
  }
  return position;
}

/** Every row of a packed batch as arrays of values (bytes values view `packed.bytes`). */
export function decodePackedRows(packed: PackedRows): SourceValue[][] {
  const { rowCount, decodings } = packed;
  const view = asBuffer(packed.bytes);
  const codes = decodingCodes(decodings);
  const latin1 = view.toString("latin1");
  const rows = new Array<SourceValue[]>(rowCount);
  let position = 0;
  for (let index = 0; index < rowCount; index++) {
    const row = new Array<SourceValue>(codes.length);
    position = decodeRow(view, latin1, position, codes, row);
    rows[index] = row;
  }
  if (position !== view.length) {
    throw sluiceError(
      "internal",
      `Packed rows: ${rowCount} rows end at byte ${position} of ${view.length}; the batch is malformed.`,
    );
  }
  return rows;
}

/**
 * Where each value of a packed batch lies: `starts[row * columns + column]` and
 * `ends[...]` bound its bytes in `bytes` (start -1: NULL). Built in one pass over the
 * batch, for encoders that read values where they lie instead of decoding them; `rows()`
 * decodes the whole batch, once, for the values such an encoder leaves to the row path.
 * `load` reuses the index arrays from batch to batch.
 */
export class PackedRowIndex {
  bytes: Buffer = Buffer.alloc(0);
  decodings: readonly ValueDecoding[] = [];
  columns = 0;
  rowCount = 0;
  starts = new Int32Array(0);
  ends = new Int32Array(0);
  private packed: PackedRows | null = null;
  private decoded: SourceValue[][] | null = null;
  private wholeLatin1: string | null = null;

  load(packed: PackedRows): this {
    const view = asBuffer(packed.bytes);
    const columns = packed.decodings.length;
    const slots = packed.rowCount * columns;
    if (this.starts.length < slots) {
      this.starts = new Int32Array(slots);
      this.ends = new Int32Array(slots);
    }
    const { starts, ends } = this;
    let position = 0;
    for (let slot = 0; slot < slots; slot++) {
      const first = view[position];
      if (first === undefined) {
        throw sluiceError(
          "internal",
          `Packed rows end inside a row (value ${slot + 1} of ${slots} at byte ${position}).`,
        );
      }
      if (first === NULL_VALUE) {
        starts[slot] = -1;
        ends[slot] = -1;
        position += 1;
        continue;
      }
      let start = position + 1;
      let length = first;
      if (first > NULL_VALUE) {
        length = longLength(view, position, first);
        start = position + lengthBytes(first);
      }
      starts[slot] = start;
      ends[slot] = start + length;
      position = start + length;
    }
    if (position !== view.length) {
      throw sluiceError(
        "internal",
        `Packed rows: ${packed.rowCount} rows end at byte ${position} of ${view.length}; the batch is malformed.`,
      );
    }
    this.bytes = view;
    this.decodings = packed.decodings;
    this.columns = columns;
    this.rowCount = packed.rowCount;
    this.packed = packed;
    this.decoded = null;
    this.wholeLatin1 = null;
    return this;
  }

  /** Every row of the batch decoded (done once per batch, when first asked). */
  rows(): SourceValue[][] {
    if (this.decoded === null) {
      if (this.packed === null) throw sluiceError("internal", "PackedRowIndex: no batch loaded.");
      this.decoded = decodePackedRows(this.packed);
    }
    return this.decoded;
  }

  /** `bytes[start..end)` read as Latin-1 (the whole batch is decoded once, then sliced). */
  latin1(start: number, end: number): string {
    this.wholeLatin1 ??= this.bytes.toString("latin1");
    return this.wholeLatin1.substring(start, end);
  }
}
