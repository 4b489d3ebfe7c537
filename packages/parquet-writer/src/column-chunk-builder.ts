import type { SourceValue } from "@sluice/core";
import { ByteSink } from "./byte-sink.js";
import { encodeDefinitionLevels, packBits } from "./definition-levels.js";
import type { PageCodec } from "./page-compression.js";
import { Encoding, PageType } from "./parquet-enums.js";
import type { ColumnLayout } from "./parquet-schema.js";
import { ThriftCompactWriter } from "./thrift-compact-writer.js";
import type { ValueEncoder } from "./value-encoders.js";

/** Uncompressed value bytes after which a page is cut (and compressed right away). */
const PAGE_BYTES = 1024 * 1024;

export interface FinishedChunk {
  /** Page headers and compressed page bodies, in file order. */
  readonly buffers: readonly Buffer[];
  readonly numValues: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
}

/**
 * Collects one column of one row group as V1 data pages (PLAIN values, RLE
 * definition levels). Pages are compressed as soon as they fill, so a buffered
 * row group costs its compressed size plus one open page per column.
 */
export class ColumnChunkBuilder {
  private readonly values = new ByteSink(PAGE_BYTES + 64 * 1024);
  private levels = new Uint8Array(8192);
  private pageValues = 0;
  private pages: Buffer[] = [];
  private chunkValues = 0;
  private uncompressedSize = 0;
  private compressedSize = 0;
  zeroDates = 0;

  constructor(
    private readonly layout: ColumnLayout,
    private readonly encode: ValueEncoder,
    private readonly codec: PageCodec,
    private readonly onRequiredNull: (value: SourceValue) => never,
  ) {}

  /** Bytes this chunk holds in memory (compressed pages + the open page). */
  get bufferedBytes(): number {
    return this.compressedSize + this.values.length + this.pageValues;
  }

  append(value: SourceValue): void {
    if (this.pageValues === this.levels.length) {
      const grown = new Uint8Array(this.levels.length * 2);
      grown.set(this.levels);
      this.levels = grown;
    }
    if (value === null || !this.encode(this.values, value)) {
      if (!this.layout.optional) this.onRequiredNull(value);
      if (value !== null) this.zeroDates++;
      this.levels[this.pageValues++] = 0;
    } else {
      this.levels[this.pageValues++] = 1;
    }
    if (this.values.length >= PAGE_BYTES) this.cutPage();
  }

  private cutPage(): void {
    if (this.pageValues === 0) return;
    const parts: Buffer[] = [];
    if (this.layout.optional) parts.push(encodeDefinitionLevels(this.levels, this.pageValues));
    if (this.layout.physicalType === "BOOLEAN") {
      // Booleans were buffered one byte each; PLAIN wants them bit-packed.
      const defined = this.values.view();
      const packed = new ByteSink(Math.ceil(defined.length / 8) + 1);
      packBits(defined, defined.length, packed);
      parts.push(packed.view());
    } else {
      parts.push(this.values.view());
    }
    const body = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    const compressed = this.codec.compress(body);
    const header = new ThriftCompactWriter()
      .i32(1, PageType.DATA_PAGE)
      .i32(2, body.length)
      .i32(3, compressed.length)
      .struct(5, (page) =>
        page.i32(1, this.pageValues).i32(2, Encoding.PLAIN).i32(3, Encoding.RLE).i32(4, Encoding.RLE),
      )
      .finish();
    // `compressed` may alias the reusable value buffer (codec "none"): copy it out.
    this.pages.push(header, compressed === body ? Buffer.from(body) : compressed);
    this.uncompressedSize += header.length + body.length;
    this.compressedSize += header.length + compressed.length;
    this.chunkValues += this.pageValues;
    this.pageValues = 0;
    this.values.reset();
  }

  /** Closes the chunk and starts an empty one. */
  finish(): FinishedChunk {
    this.cutPage();
    const chunk: FinishedChunk = {
      buffers: this.pages,
      numValues: this.chunkValues,
      uncompressedSize: this.uncompressedSize,
      compressedSize: this.compressedSize,
    };
    this.pages = [];
    this.chunkValues = 0;
    this.uncompressedSize = 0;
    this.compressedSize = 0;
    return chunk;
  }
}
