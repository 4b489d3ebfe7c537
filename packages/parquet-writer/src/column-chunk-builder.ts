import type { SourceValue } from "@sluice/core";
import { ByteSink } from "./byte-sink.js";
import {
  type ColumnValueRules,
  invalidDateError,
  malformedTextError,
  nulInTextError,
  nulReplacement,
  oversizeTextError,
  utf8CutLength,
} from "./column-value-rules.js";
import { encodeDefinitionLevels, packBits } from "./definition-levels.js";
import type { PageCodec } from "./page-compression.js";
import { Encoding, PageType } from "./parquet-enums.js";
import type { ColumnLayout } from "./parquet-schema.js";
import { ThriftCompactWriter } from "./thrift-compact-writer.js";
import type { ColumnEncoder, OpenPage } from "./value-encoders.js";

/** Uncompressed value bytes after which a page is cut (and handed to the codec). */
const PAGE_BYTES = 1024 * 1024;

export interface FinishedChunk {
  /** Page headers and compressed page bodies, in file order. */
  readonly buffers: readonly Buffer[];
  readonly numValues: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
}

interface PendingPage {
  readonly values: number;
  readonly uncompressedSize: number;
  readonly compressed: Buffer | Promise<Buffer>;
}

/**
 * Collects one column of one row group as V1 data pages (PLAIN values, RLE
 * definition levels). Pages are compressed as soon as they fill — on the libuv pool
 * when the codec can, so the JavaScript thread goes on encoding (and the source goes
 * on parsing rows) meanwhile. A buffered row group costs its pages plus one open page.
 */
export class ColumnChunkBuilder implements OpenPage {
  readonly values = new ByteSink(PAGE_BYTES + 64 * 1024);
  levels = new Uint8Array(8192);
  count = 0;
  /** Totals over the whole part (never reset between row groups). */
  nulls = 0;
  maxBytes = 0;
  invalidDates = 0;
  invalidDateSample: { readonly value: string; readonly key: string } | null = null;
  truncated = 0;
  /** Text values with NUL, stripped or replaced (policy "strip" / "replace"). */
  nulValues = 0;
  nulSample: string | null = null;
  private pages: PendingPage[] = [];
  private pageBytes = 0;

  constructor(
    private readonly layout: ColumnLayout,
    private readonly encode: ColumnEncoder,
    private readonly codec: PageCodec,
    private readonly onNull: (value: SourceValue | undefined) => never,
    private readonly rules: ColumnValueRules,
  ) {}

  /** Bytes this chunk holds in memory (cut pages, compressed or awaiting it, + the open page). */
  get bufferedBytes(): number {
    return this.pageBytes + this.values.length + this.count;
  }

  /** Appends `rows[start..end)[column]`; the caller keeps calls to a few thousand rows. */
  appendRows(rows: readonly (readonly SourceValue[])[], column: number, start: number, end: number): void {
    const needed = this.count + (end - start);
    if (needed > this.levels.length) {
      let size = this.levels.length * 2;
      while (size < needed) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.levels.subarray(0, this.count));
      this.levels = grown;
    }
    this.encode(rows, column, start, end, this);
    this.cutPageIfFull();
  }

  appendNull(value: SourceValue | undefined): void {
    if (value === undefined || !this.layout.optional) this.onNull(value);
    this.nulls++;
    this.levels[this.count++] = 0;
  }

  appendInvalidDate(value: string, row: readonly SourceValue[]): void {
    if (this.rules.invalidDates === "fail") throw invalidDateError(this.rules, value, row);
    this.invalidDates++;
    this.invalidDateSample ??= { value, key: this.rules.describeKey(row) };
    this.nulls++;
    this.levels[this.count++] = 0;
  }

  oversizeText(written: number, row: readonly SourceValue[]): number {
    const limit = this.rules.textLimit;
    if (limit === null || written <= limit.maxBytes) return written;
    if (limit.policy === "fail") throw oversizeTextError(this.rules, written, row);
    // The value was just appended as [u32 length][bytes]: shorten it in place.
    const sink = this.values;
    const prefix = sink.length - written - 4;
    const kept = utf8CutLength(sink.buffer, prefix + 4, written, limit.maxBytes);
    sink.buffer.writeUInt32LE(kept, prefix);
    sink.length = prefix + 4 + kept;
    this.truncated++;
    return kept;
  }

  warehouseText(value: string, row: readonly SourceValue[]): string {
    if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      throw malformedTextError(this.rules, value, row);
    }
    if (value.indexOf("\0") === -1) return value;
    const policy = this.rules.nulInText;
    if (policy === "fail") throw nulInTextError(this.rules, value, row);
    this.nulValues++;
    this.nulSample ??= this.rules.describeKey(row);
    return value.replaceAll("\0", policy === "strip" ? "" : nulReplacement);
  }

  cutPageIfFull(): void {
    if (this.values.length >= PAGE_BYTES) this.cutPage();
  }

  private cutPage(): void {
    if (this.count === 0) return;
    const parts: Buffer[] = [];
    if (this.layout.optional) parts.push(encodeDefinitionLevels(this.levels, this.count));
    if (this.layout.physicalType === "BOOLEAN") {
      // Booleans were buffered one byte each; PLAIN wants them bit-packed.
      const defined = this.values.view();
      const packed = new ByteSink(Math.ceil(defined.length / 8) + 1);
      packBits(defined, defined.length, packed);
      parts.push(packed.view());
    } else {
      parts.push(this.values.view());
    }
    // Always a fresh buffer owning its memory: the value sink is reused for the next
    // page while this one may be compressing on another thread (it is transferred there).
    const body = Buffer.allocUnsafeSlow(parts.reduce((sum, part) => sum + part.length, 0));
    let offset = 0;
    for (const part of parts) offset += part.copy(body, offset);
    // Read the size first: an off-thread codec detaches `body`.
    const uncompressedSize = body.length;
    const compressed = this.codec.compressAsync ? this.codec.compressAsync(body) : this.codec.compress(body);
    if (compressed instanceof Promise) compressed.catch(() => undefined);
    this.pages.push({ values: this.count, uncompressedSize, compressed });
    this.pageBytes += uncompressedSize;
    this.count = 0;
    this.values.reset();
  }

  /** Closes the chunk (waiting for its pages' compression) and starts an empty one. */
  async finish(): Promise<FinishedChunk> {
    this.cutPage();
    const pages = this.pages;
    this.pages = [];
    this.pageBytes = 0;
    const buffers: Buffer[] = [];
    let numValues = 0;
    let uncompressedSize = 0;
    let compressedSize = 0;
    for (const page of pages) {
      const compressed = await page.compressed;
      const header = new ThriftCompactWriter()
        .i32(1, PageType.DATA_PAGE)
        .i32(2, page.uncompressedSize)
        .i32(3, compressed.length)
        .struct(5, (data) =>
          data.i32(1, page.values).i32(2, Encoding.PLAIN).i32(3, Encoding.RLE).i32(4, Encoding.RLE),
        )
        .finish();
      buffers.push(header, compressed);
      numValues += page.values;
      uncompressedSize += header.length + page.uncompressedSize;
      compressedSize += header.length + compressed.length;
    }
    return { buffers, numValues, uncompressedSize, compressedSize };
  }
}
