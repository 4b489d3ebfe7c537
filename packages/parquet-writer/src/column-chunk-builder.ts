import { freeBufferNow, type PackedRowIndex, type SourceValue } from "@sluice/core";
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
import type { PackedColumnEncoder } from "./packed-value-encoders.js";
import type { PageCodec } from "./page-compression.js";
import { Encoding, PageType } from "./parquet-enums.js";
import type { ColumnLayout } from "./parquet-schema.js";
import { ThriftCompactWriter } from "./thrift-compact-writer.js";
import type { ColumnEncoder, OpenPage } from "./value-encoders.js";

/** Uncompressed value bytes after which a page is cut (and handed to the codec). */
const PAGE_BYTES = 1024 * 1024;
/** A page's values plus what one encoder call may add past PAGE_BYTES before the cut. */
export const PAGE_SINK_BYTES = PAGE_BYTES + 64 * 1024;
/**
 * Compressed page bytes after which a part writer flushes its row group early
 * (parquet-part-writer.ts): what a row group holds in memory, whatever the rows' width.
 * A 64k-row group of the 20-column benchmark table compresses to ~3 MiB, so narrow
 * tables keep their 64k-row groups; a table of 1 MiB values that barely compress gets
 * row groups of ~5 values (measured 216-219 MiB peak RSS against 227-236 MiB at 8 MiB,
 * docs/adr/0017-perf-bytes-bounded-memory.md).
 */
export const ROW_GROUP_COMPRESSED_BYTES = 4 * 1024 * 1024;
/**
 * A chunk sink grows to twice the row-group bound (room for what one write adds before
 * the check: a batch of about 1 MiB) and no further unless a single page needs more:
 * doubling past it would hold up to twice that per sink, and there are two per column.
 */
const CHUNK_SINK_BYTES = 2 * ROW_GROUP_COMPRESSED_BYTES;

export interface FinishedChunk {
  /**
   * Page headers and compressed page bodies, in file order. With an in-line codec they
   * view the builder's reused chunk sink: valid until the builder's next `finish()`.
   */
  readonly buffers: readonly Buffer[];
  readonly numValues: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
}

interface PendingPage {
  readonly values: number;
  readonly uncompressedSize: number;
  readonly compressed: Promise<Buffer>;
}

/**
 * Collects one column of one row group as V1 data pages (PLAIN values, RLE
 * definition levels). Pages are compressed as soon as they fill — on a worker thread
 * when the codec can, so the JavaScript thread goes on encoding (and the source goes
 * on parsing rows) meanwhile. A buffered row group costs its pages plus one open page.
 *
 * In line, each compressed page is copied at once (header first) into a chunk sink
 * that is reused from row group to row group, two of them in turn (one being written
 * to the file while the next row group fills the other). The codec's output then dies
 * young; kept until its row group was written, it was promoted to V8's old space and
 * piled up there as garbage (~45 MiB per million narrow rows) until the next full GC,
 * which V8 schedules by heap size, not by the external memory such buffers hold.
 */
export class ColumnChunkBuilder implements OpenPage {
  /**
   * Grows as the column needs, up to a page plus one call's overshoot: a narrow column
   * (a flag, an id) never fills a page within a row group, and a sink of a full page
   * for each of them was ~1 MiB per column held for the whole part.
   */
  readonly values = new ByteSink(16 * 1024, PAGE_SINK_BYTES);
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
  /** Pages compressing off this thread (a codec with `compressAsync`), in order. */
  private pages: PendingPage[] = [];
  private pageBytes = 0;
  /** In line: the current row group's page headers and compressed bodies... */
  private chunk: ByteSink | null = null;
  /** ...and the previous row group's, which the part writer is writing meanwhile. */
  private written: ByteSink | null = null;
  private chunkValues = 0;
  private chunkUncompressedSize = 0;

  constructor(
    private readonly layout: ColumnLayout,
    private readonly encode: ColumnEncoder,
    private readonly codec: PageCodec,
    private readonly onNull: (value: SourceValue | undefined) => never,
    private readonly rules: ColumnValueRules,
    /** Shared by a part's columns: pages are assembled here one at a time to be compressed in line. */
    private readonly pageScratch: ByteSink,
    private readonly packedEncode: PackedColumnEncoder | null = null,
  ) {}

  /** Bytes this chunk holds in memory (cut pages, compressed or awaiting it, + the open page). */
  get bufferedBytes(): number {
    return this.pageBytes + this.values.length + this.count;
  }

  /** Page bytes this row group holds: compressed in line, or as handed to the compressing thread. */
  get heldPageBytes(): number {
    return this.codec.compressAsync ? this.pageBytes : (this.chunk?.length ?? 0);
  }

  /** Appends `rows[start..end)[column]`; the caller keeps calls to a few thousand rows. */
  appendRows(rows: readonly (readonly SourceValue[])[], column: number, start: number, end: number): void {
    this.makeRoom(end - start);
    this.encode(rows, column, start, end, this);
    this.cutPageIfFull();
  }

  /**
   * The same for rows [start, end) of a packed batch: read where they lie by the
   * column's packed encoder, or decoded for its row encoder where it has none.
   */
  appendPacked(index: PackedRowIndex, column: number, start: number, end: number): void {
    this.makeRoom(end - start);
    if (this.packedEncode !== null) this.packedEncode(index, column, start, end, this);
    else this.encode(index.rows(), column, start, end, this);
    this.cutPageIfFull();
  }

  private makeRoom(rows: number): void {
    const needed = this.count + rows;
    if (needed > this.levels.length) {
      let size = this.levels.length * 2;
      while (size < needed) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.levels.subarray(0, this.count));
      this.levels = grown;
    }
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
    const levels = this.layout.optional ? encodeDefinitionLevels(this.levels, this.count) : null;
    const boolean = this.layout.physicalType === "BOOLEAN";
    let uncompressedSize: number;
    if (this.codec.compressAsync) {
      // A fresh buffer owning its memory: it is transferred to the compressing thread
      // while the value sink is reused for the next page.
      const scratch = this.pageScratch;
      scratch.reset();
      this.writeBody(scratch, levels, boolean);
      const body = Buffer.allocUnsafeSlow(scratch.length);
      scratch.view().copy(body);
      // Read the size first: an off-thread codec detaches `body`.
      uncompressedSize = body.length;
      const compressed = this.codec.compressAsync(body);
      compressed.catch(() => undefined);
      this.pages.push({ values: this.count, uncompressedSize, compressed });
    } else {
      // Compressed right here, so the body needs no buffer of its own: the value sink
      // as it is when nothing precedes the values, else the part's shared page scratch
      // (a fresh body per page was ~180 MiB of allocations per million narrow rows).
      let body: Buffer;
      if (levels === null && !boolean) {
        body = this.values.view();
      } else {
        const scratch = this.pageScratch;
        scratch.reset();
        this.writeBody(scratch, levels, boolean);
        body = scratch.view();
      }
      uncompressedSize = body.length;
      // Copied into the chunk at once, so the codec may even hand `body` back ("none").
      this.appendToChunk(this.count, uncompressedSize, this.codec.compress(body));
    }
    this.pageBytes += uncompressedSize;
    this.count = 0;
    this.values.reset();
  }

  private appendToChunk(values: number, uncompressedSize: number, compressed: Buffer): void {
    const header = pageHeader(values, uncompressedSize, compressed.length);
    this.chunk ??= new ByteSink(64 * 1024, CHUNK_SINK_BYTES);
    this.chunk.bytes(header);
    this.chunk.bytes(compressed);
    // The codec's output is ours alone once copied (unless it is the body itself, "none").
    if (
      compressed.buffer !== this.values.buffer.buffer &&
      compressed.buffer !== this.pageScratch.buffer.buffer
    ) {
      freeBufferNow(compressed);
    }
    this.chunkValues += values;
    this.chunkUncompressedSize += header.length + uncompressedSize;
  }

  /** Definition levels (optional columns), then the values; booleans bit-packed as PLAIN wants them. */
  private writeBody(sink: ByteSink, levels: Buffer | null, boolean: boolean): void {
    if (levels !== null) sink.bytes(levels);
    const defined = this.values.view();
    if (boolean) packBits(defined, defined.length, sink);
    else sink.bytes(defined);
  }

  /**
   * Closes the chunk (waiting for its pages' compression) and starts an empty one. The
   * caller is done with the previous call's buffers (they are overwritten from here on).
   */
  async finish(): Promise<FinishedChunk> {
    this.cutPage();
    this.pageBytes = 0;
    if (!this.codec.compressAsync) return this.finishInLine();
    const pages = this.pages;
    this.pages = [];
    const buffers: Buffer[] = [];
    let numValues = 0;
    let uncompressedSize = 0;
    let compressedSize = 0;
    for (const page of pages) {
      const compressed = await page.compressed;
      const header = pageHeader(page.values, page.uncompressedSize, compressed.length);
      buffers.push(header, compressed);
      numValues += page.values;
      uncompressedSize += header.length + page.uncompressedSize;
      compressedSize += header.length + compressed.length;
    }
    return { buffers, numValues, uncompressedSize, compressedSize };
  }

  /**
   * Frees this column's buffers once its part is closed (every row group written): a
   * page-sized value sink and two chunk sinks, which would otherwise wait for V8's next
   * full GC (docs/adr/0017-perf-bytes-bounded-memory.md).
   */
  release(): void {
    this.values.release();
    this.chunk?.release();
    this.written?.release();
    this.chunk = null;
    this.written = null;
    this.levels = new Uint8Array(0);
  }

  private finishInLine(): FinishedChunk {
    const done = this.chunk;
    const finished: FinishedChunk = {
      buffers: done === null ? [] : [done.view()],
      numValues: this.chunkValues,
      uncompressedSize: this.chunkUncompressedSize,
      compressedSize: done?.length ?? 0,
    };
    // The sink of the row group before is free again: the part writer awaits each
    // row group's write before it finishes the next.
    const free = this.written;
    free?.reset();
    this.chunk = free;
    this.written = done;
    this.chunkValues = 0;
    this.chunkUncompressedSize = 0;
    return finished;
  }
}

function pageHeader(values: number, uncompressedSize: number, compressedSize: number): Buffer {
  return new ThriftCompactWriter()
    .i32(1, PageType.DATA_PAGE)
    .i32(2, uncompressedSize)
    .i32(3, compressedSize)
    .struct(5, (data) => data.i32(1, values).i32(2, Encoding.PLAIN).i32(3, Encoding.RLE).i32(4, Encoding.RLE))
    .finish();
}
