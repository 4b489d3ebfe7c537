import { sluiceError } from "@sluice/core";
import { decodeDefinitionLevels } from "./definition-levels.js";
import { decompressPage } from "./page-compression.js";
import type { ColumnLayout } from "./parquet-schema.js";
import { fixedValueText, plainWidth } from "./plain-value-text.js";
import { field, ThriftCompactReader, type ThriftStruct } from "./thrift-compact-reader.js";

/**
 * Walks one column chunk (V1 data pages, PLAIN values) value by value, as canonical
 * text or null. Only the current page is decompressed, and each value becomes text
 * when it is asked for: a reader that assembles rows across columns holds a page per
 * column, not a row group of strings (which lived long enough to be promoted and made
 * V8's full collections the largest cost of a load).
 */
export class ColumnTextCursor {
  private readonly width: number;
  private readonly scale: number;
  private chunkPosition = 0;
  private body: Buffer = Buffer.alloc(0);
  private levels: Uint8Array | null = null;
  private pageValues = 0;
  /** Index of the next slot (defined or null) in the current page. */
  private slot = 0;
  /** Byte offset of the next value in `body`; for booleans, the index of the next bit. */
  private valueAt = 0;
  private taken = 0;
  /** Where the bit-packed booleans of the current page start (after its levels). */
  private booleanStart = 0;

  constructor(
    private readonly layout: ColumnLayout,
    private readonly chunk: Buffer,
    private readonly codec: number,
    private readonly numValues: number,
  ) {
    this.width = plainWidth(layout.encoding, layout.typeLength);
    this.scale = layout.scale ?? 0;
  }

  /** The next value of the chunk; throws past its end (the row group says how many there are). */
  next(): string | null {
    if (this.slot === this.pageValues) this.nextPage();
    const slot = this.slot++;
    this.taken++;
    if (this.levels !== null && this.levels[slot] === 0) return null;
    const body = this.body;
    const at = this.valueAt;
    switch (this.layout.encoding) {
      case "boolean":
        this.valueAt = at + 1;
        return ((body[this.booleanStart + (at >> 3)] ?? 0) >> (at & 7)) & 1 ? "t" : "f";
      case "utf8":
      case "binary": {
        const length = body.readUInt32LE(at);
        this.valueAt = at + 4 + length;
        return this.layout.encoding === "utf8"
          ? body.toString("utf8", at + 4, at + 4 + length)
          : `\\x${body.toString("hex", at + 4, at + 4 + length)}`;
      }
      default:
        this.valueAt = at + this.width;
        return fixedValueText(this.layout.encoding, body, at, this.scale, this.width);
    }
  }

  private nextPage(): void {
    if (this.taken >= this.numValues) {
      throw sluiceError(
        "encode",
        `Parquet column ${this.layout.name}: asked for more than its ${this.numValues} values.`,
      );
    }
    const reader = new ThriftCompactReader(this.chunk, this.chunkPosition);
    const header = reader.struct();
    if (field<number>(header, 1) !== 0) {
      throw sluiceError(
        "encode",
        `Parquet column ${this.layout.name}: page type ${String(header.get(1))} is not a V1 data page.`,
      );
    }
    const uncompressedSize = field<number>(header, 2);
    const compressedSize = field<number>(header, 3);
    this.pageValues = field<number>(field<ThriftStruct>(header, 5), 1);
    this.body = decompressPage(
      this.codec,
      this.chunk.subarray(reader.position, reader.position + compressedSize),
      uncompressedSize,
    );
    this.chunkPosition = reader.position + compressedSize;
    this.slot = 0;
    this.levels = null;
    let valuesOffset = 0;
    if (this.layout.optional) {
      const levelBytes = this.body.readUInt32LE(0);
      this.levels = decodeDefinitionLevels(this.body.subarray(4, 4 + levelBytes), this.pageValues);
      valuesOffset = 4 + levelBytes;
    }
    // Booleans count bits from the start of the values; every other encoding, bytes.
    this.booleanStart = valuesOffset;
    this.valueAt = this.layout.encoding === "boolean" ? 0 : valuesOffset;
  }
}
