import type { FileHandle } from "node:fs/promises";
import { open, rm } from "node:fs/promises";
import {
  type AnyRowBatch,
  type ColumnSpec,
  type ColumnStats,
  isPackedBatch,
  PackedRowIndex,
  type SourceValue,
  sluiceError,
  toSluiceError,
} from "@sluice/core";
import { ByteSink } from "./byte-sink.js";
import { ColumnChunkBuilder, PAGE_SINK_BYTES, ROW_GROUP_COMPRESSED_BYTES } from "./column-chunk-builder.js";
import {
  type ColumnValueRules,
  type InvalidDatePolicy,
  type NulInTextPolicy,
  rowKeyDescriber,
  type TextByteLimit,
} from "./column-value-rules.js";
import { encodeError } from "./encode-error.js";
import { type ColumnChunkMeta, encodeFileMetadata, type RowGroupMeta } from "./file-metadata.js";
import { packedEncoderFor } from "./packed-value-encoders.js";
import { type CompressionThread, type ParquetCompression, pageCodec } from "./page-compression.js";
import { columnLayout } from "./parquet-schema.js";
import { columnEncoderFor, FIXED_WIDTH_ROWS_PER_CALL } from "./value-encoders.js";

export interface ParquetPartOptions {
  table: string;
  columns: readonly ColumnSpec[];
  path: string;
  compression?: ParquetCompression;
  rowGroupRows?: number;
  /**
   * Where ZSTD pages are compressed (default "main"). "worker" hands them to one shared
   * worker thread: 10-40% faster encoding when a second core is idle, at ~45 MiB more
   * RSS (docs/adr/0003-parquet-encoding.md). Snappy and none always run on "main".
   */
  compressionThread?: CompressionThread;
  /** Primary key column names: they name a row in error messages and samples. */
  keyColumns?: readonly string[];
  /** Zero and impossible dates: `"null"` (default) or `"fail"`. See {@link InvalidDatePolicy}. */
  invalidDates?: InvalidDatePolicy;
  /**
   * A byte cap for string and TIME values (not JSON, not binary): set it when the part
   * is bound for Redshift VARCHAR (65,535 bytes). Absent: values are written whole.
   */
  textLimit?: TextByteLimit;
  /** NUL in text values: `"fail"` (default), `"strip"` or `"replace"`. See {@link NulInTextPolicy}. */
  nulInText?: NulInTextPolicy;
}

export interface ParquetPartSummary {
  path: string;
  rows: number;
  sizeBytes: number;
  /** Zero and impossible dates (`0000-00-00`, `2024-00-15`, `2024-02-30`) written as NULL, per column name. */
  zeroDates: Readonly<Record<string, number>>;
  /** The first such date per column and the key of its row, for the run log. */
  zeroDateSamples: Readonly<Record<string, { readonly value: string; readonly key: string }>>;
  /** Text values cut at `textLimit.maxBytes` (policy "truncate"), per column name. */
  truncatedValues: Readonly<Record<string, number>>;
  /** Text values with NUL stripped or replaced (policy "strip" / "replace"), per column name. */
  nulTextValues: Readonly<Record<string, number>>;
  /** The key of the first such row per column, for the run log. */
  nulTextSamples: Readonly<Record<string, string>>;
  /** NULLs written and the longest variable-length value (bytes), for every column. */
  columnStats: Readonly<Record<string, ColumnStats>>;
}

export interface ParquetPartWriter {
  /**
   * Appends a batch. A packed batch (PackedRowBatch) is decoded where the writer
   * encodes: on this thread in line, on the worker for the threaded writer, which
   * receives its bytes in one transfer (the batch's buffer is detached afterwards).
   */
  write(batch: AnyRowBatch): Promise<void>;
  finish(): Promise<ParquetPartSummary>;
  abort(): Promise<void>;
  readonly rows: number;
}

const MAGIC = Buffer.from("PAR1", "ascii");
const DEFAULT_ROW_GROUP_ROWS = 64 * 1024;
/** Page bytes (uncompressed) after which a row group is flushed early. */
const ROW_GROUP_BYTES = 32 * 1024 * 1024;
/** Rows encoded per column before moving to the next column (and checking the byte budget). */
const SLICE_ROWS = FIXED_WIDTH_ROWS_PER_CALL;

/**
 * Streams row batches into one Parquet file: one row group buffered at a time,
 * written when full; only the footer metadata stays in memory after that.
 * After a failed `write` the part is unusable: call `abort()`.
 */
export function createParquetPartWriter(options: ParquetPartOptions): ParquetPartWriter {
  const { table, columns, path } = options;
  const codec = pageCodec(options.compression, table, options.compressionThread);
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1) {
    throw sluiceError(
      "config",
      `Parquet part for table ${table}: rowGroupRows must be a positive integer, got ${rowGroupRows}.`,
    );
  }
  if (columns.length === 0) {
    throw sluiceError(
      "config",
      `Parquet part for table ${table}: no columns given; a Parquet file needs at least one.`,
    );
  }
  const layouts = columns.map(columnLayout);
  const describeKey = rowKeyDescriber(columns, options.keyColumns ?? []);
  const textLimit = options.textLimit ?? null;
  if (textLimit !== null && !(Number.isInteger(textLimit.maxBytes) && textLimit.maxBytes > 0)) {
    throw sluiceError(
      "config",
      `Parquet part for table ${table}: textLimit.maxBytes must be a positive integer, got ${textLimit.maxBytes}.`,
    );
  }
  // Definition levels (a bit per value, a few KiB) and a page of values.
  const pageScratch = new ByteSink(64 * 1024, PAGE_SINK_BYTES + 64 * 1024);
  const builders = columns.map((column, index) => {
    const layout = layouts[index] as (typeof layouts)[number];
    const onNull = (value: SourceValue | undefined): never => {
      if (value === undefined) {
        throw sluiceError(
          "schema",
          `Table ${table}: a row has no value for column ${column.name} (number ${index + 1} of ${columns.length}); column specs and rows must agree.`,
        );
      }
      throw encodeError(table, column.name, column.sourceType, value, "NULL in a NOT NULL column");
    };
    const kind = column.logical.kind;
    const capped = textLimit !== null && (kind === "string" || kind === "time") ? textLimit : null;
    const rules: ColumnValueRules = {
      table,
      column,
      invalidDates: options.invalidDates ?? "null",
      textLimit: capped,
      nulInText: options.nulInText ?? "fail",
      describeKey,
    };
    const encoder = columnEncoderFor(layout, column, table, capped?.maxBytes ?? null);
    const packedEncoder = packedEncoderFor(layout, column, encoder, capped?.maxBytes ?? null);
    return new ColumnChunkBuilder(layout, encoder, codec, onNull, rules, pageScratch, packedEncoder);
  });

  /** Reused from batch to batch: where each value of a packed batch lies. */
  const packedIndex = new PackedRowIndex();
  const shapeError = (values: number) =>
    sluiceError(
      "schema",
      `Table ${table}: a row has ${values} values but the part has ${columns.length} columns; column specs and rows must agree.`,
    );
  let handle: FileHandle | undefined;
  let position = 0;
  let totalRows = 0;
  let groupRows = 0;
  const rowGroups: RowGroupMeta[] = [];
  let state: "open" | "failed" | "closed" = "open";

  const ensureOpen = async (): Promise<FileHandle> => {
    if (handle === undefined) {
      handle = await open(path, "w");
      await handle.write(MAGIC, 0, MAGIC.length, 0);
      position = MAGIC.length;
    }
    return handle;
  };

  /**
   * The row group being compressed and written while the next one is encoded. Only
   * one is in flight: a new flush first waits for the previous one, which bounds
   * memory to two row groups and surfaces its failure at the next write.
   */
  let inFlight: Promise<void> = Promise.resolve();

  const flushRowGroup = async (): Promise<void> => {
    if (groupRows === 0) return;
    await inFlight;
    // Another (unawaited) write may have flushed these rows meanwhile.
    if (groupRows === 0) return;
    // `finish()` cuts and detaches every chunk's pages synchronously; only the
    // compression results are awaited later.
    const finishing = builders.map((builder) => builder.finish());
    const numRows = groupRows;
    groupRows = 0;
    inFlight = (async () => {
      const finished = await Promise.all(finishing);
      const file = await ensureOpen();
      const fileOffset = position;
      const chunks: ColumnChunkMeta[] = [];
      const buffers: Buffer[] = [];
      for (const chunk of finished) {
        chunks.push({
          numValues: chunk.numValues,
          dataPageOffset: position,
          uncompressedSize: chunk.uncompressedSize,
          compressedSize: chunk.compressedSize,
        });
        buffers.push(...chunk.buffers);
        position += chunk.compressedSize;
      }
      await file.writev(buffers, fileOffset);
      rowGroups.push({ numRows, fileOffset, columns: chunks });
    })();
    // Handled when awaited by the next flush or by finish(); never unhandled meanwhile.
    inFlight.catch(() => undefined);
  };

  /**
   * Frees the column builders' buffers (a value sink of up to a page and two chunk sinks
   * per column) once the part is closed, every row group written. Dropping references is
   * not enough: a caller may keep a finished writer reachable for a while (an async
   * function's suspended frame keeps dead locals: measured, the previous part's ~21 MiB
   * of sinks for a 20-column table stayed alive through the whole next part), and
   * unreachable ones wait for V8's next full GC.
   */
  const releaseBuilders = (): void => {
    for (const builder of builders) builder.release();
    builders.length = 0;
    pageScratch.release();
  };

  const bufferedBytes = (): number => builders.reduce((sum, builder) => sum + builder.bufferedBytes, 0);
  const heldPageBytes = (): number => builders.reduce((sum, builder) => sum + builder.heldPageBytes, 0);
  /**
   * A row group is flushed at `rowGroupRows` rows, at 32 MiB of page bytes as written
   * before compression, or at ROW_GROUP_COMPRESSED_BYTES of pages held in memory,
   * whichever comes first. The last bound is what memory holds (twice: one row group
   * filling, one being written): rows of 1 MiB values that barely compress filled
   * 32 MiB row groups of compressed pages before it (docs/adr/0017-perf-bytes-bounded-memory.md).
   */
  const rowGroupFull = (): boolean =>
    groupRows >= rowGroupRows ||
    bufferedBytes() >= ROW_GROUP_BYTES ||
    heldPageBytes() >= ROW_GROUP_COMPRESSED_BYTES;

  const assertOpen = (action: string): void => {
    if (state !== "open") {
      throw sluiceError(
        "internal",
        `Parquet part ${path} for table ${table}: ${action} after the part was ${state}.`,
      );
    }
  };

  return {
    get rows() {
      return totalRows;
    },

    async write(batch: AnyRowBatch): Promise<void> {
      assertOpen("write");
      try {
        let count: number;
        let append: (builder: ColumnChunkBuilder, column: number, start: number, end: number) => void;
        if (isPackedBatch(batch)) {
          if (batch.packed.decodings.length !== columns.length)
            throw shapeError(batch.packed.decodings.length);
          const index = packedIndex.load(batch.packed);
          count = index.rowCount;
          append = (builder, column, start, end) => builder.appendPacked(index, column, start, end);
        } else {
          const rows = batch.rows;
          // Cheap shape check per batch (a short row is also caught per value).
          for (const row of [rows[0], rows[rows.length - 1]]) {
            if (row !== undefined && row.length !== columns.length) throw shapeError(row.length);
          }
          count = rows.length;
          append = (builder, column, start, end) => builder.appendRows(rows, column, start, end);
        }
        let start = 0;
        while (start < count) {
          const end = Math.min(count, start + SLICE_ROWS, start + (rowGroupRows - groupRows));
          for (let column = 0; column < builders.length; column++) {
            append(builders[column] as ColumnChunkBuilder, column, start, end);
          }
          groupRows += end - start;
          totalRows += end - start;
          start = end;
          if (rowGroupFull()) await flushRowGroup();
        }
      } catch (error) {
        state = "failed";
        throw toSluiceError(error, "stage", `Writing Parquet part ${path} for table ${table}`);
      }
    },

    async finish(): Promise<ParquetPartSummary> {
      assertOpen("finish");
      try {
        await flushRowGroup();
        await inFlight;
        const file = await ensureOpen();
        const footer = encodeFileMetadata(layouts, rowGroups, codec.code);
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(footer.length, 0);
        MAGIC.copy(trailer, 4);
        await file.writev([footer, trailer], position);
        position += footer.length + trailer.length;
        await file.close();
        handle = undefined;
        state = "closed";
      } catch (error) {
        state = "failed";
        throw toSluiceError(error, "stage", `Writing Parquet part ${path} for table ${table}`);
      }
      const zeroDates: Record<string, number> = {};
      const zeroDateSamples: Record<string, { value: string; key: string }> = {};
      const truncatedValues: Record<string, number> = {};
      const nulTextValues: Record<string, number> = {};
      const nulTextSamples: Record<string, string> = {};
      const columnStats: Record<string, ColumnStats> = {};
      builders.forEach((builder, index) => {
        const name = (columns[index] as ColumnSpec).name;
        if (builder.invalidDates > 0) zeroDates[name] = builder.invalidDates;
        if (builder.invalidDateSample) zeroDateSamples[name] = builder.invalidDateSample;
        if (builder.truncated > 0) truncatedValues[name] = builder.truncated;
        if (builder.nulValues > 0) nulTextValues[name] = builder.nulValues;
        if (builder.nulSample !== null) nulTextSamples[name] = builder.nulSample;
        const encoding = (layouts[index] as (typeof layouts)[number]).encoding;
        const variable = encoding === "utf8" || encoding === "binary";
        columnStats[name] = { nulls: builder.nulls, maxBytes: variable ? builder.maxBytes : null };
      });
      releaseBuilders();
      return {
        path,
        rows: totalRows,
        sizeBytes: position,
        zeroDates,
        zeroDateSamples,
        truncatedValues,
        nulTextValues,
        nulTextSamples,
        columnStats,
      };
    },

    async abort(): Promise<void> {
      state = "closed";
      // A row group still being written would otherwise reopen or extend the file.
      await inFlight.catch(() => undefined);
      const file = handle;
      handle = undefined;
      if (file !== undefined) await file.close().catch(() => undefined);
      await rm(path, { force: true });
      releaseBuilders();
    },
  };
}
