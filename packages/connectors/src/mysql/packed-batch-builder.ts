import { decodePackedRow, type PackedRowBatch, type SourceValue, type ValueDecoding } from "@sluice/core";

/**
 * Collects row payloads, copied as they arrive from the socket, into one work buffer;
 * each batch taken is a copy of exactly its bytes with an ArrayBuffer of its own (never
 * Node's shared pool), so it can be transferred to another thread whole, and a batch cut
 * by rows (2,000 narrow rows are ~0.5 MiB) holds no unused capacity. A row larger than
 * the work buffer gets a work buffer of its own size.
 */
export class PackedBatchBuilder {
  private buffer: Uint8Array;
  private used = 0;
  private lastStart = 0;
  rows = 0;

  constructor(
    private readonly decodings: readonly ValueDecoding[],
    private readonly capacity: number,
  ) {
    this.buffer = new Uint8Array(capacity);
  }

  get bytes(): number {
    return this.used;
  }

  /** Whether `length` more bytes fit in this batch's buffer. */
  fits(length: number): boolean {
    return this.used + length <= this.buffer.byteLength;
  }

  /** Copies one row payload (`source[start..end)`). The caller cuts the batch first if it would not fit. */
  add(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (!this.fits(length)) {
      // Only an empty batch gets here (the caller cut the full one): one large row.
      this.buffer = new Uint8Array(Math.max(length, this.capacity));
    }
    this.buffer.set(source.subarray(start, end), this.used);
    this.lastStart = this.used;
    this.used += length;
    this.rows++;
  }

  /** The batch so far, its last row decoded; the builder starts over. */
  take(): PackedRowBatch {
    // A work buffer grown for one large row is that row exactly: it goes as it is (no
    // copy); the builder starts a new one.
    const grown = this.buffer.byteLength > this.capacity;
    const bytes = grown ? this.buffer.subarray(0, this.used) : this.buffer.slice(0, this.used);
    const lastRow = new Array<SourceValue>(this.decodings.length);
    // The last row outlives the batch's transfer: its bytes values get their own copy.
    decodePackedRow(bytes.slice(this.lastStart), 0, this.decodings, lastRow);
    const batch: PackedRowBatch = {
      packed: { bytes, rowCount: this.rows, decodings: this.decodings },
      lastRow,
    };
    if (grown) this.buffer = new Uint8Array(this.capacity);
    this.used = 0;
    this.rows = 0;
    return batch;
  }
}
