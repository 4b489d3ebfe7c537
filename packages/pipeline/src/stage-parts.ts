import { rm } from "node:fs/promises";
import { join } from "node:path";
import type {
  ExtractObserver,
  ExtractPlan,
  Logger,
  Source,
  SourceValue,
  StagedFile,
  TableSpec,
} from "@sluice/core";
import { type AnyRowBatch, batchLastRow, batchRowCount, formatTableRef, isPackedBatch } from "@sluice/core";
import type { ParquetPartSummary, ParquetPartWriter } from "@sluice/parquet-writer";
import {
  createParquetPartWriter,
  createThreadedParquetPartWriter,
  releaseSparePartWorker,
} from "@sluice/parquet-writer";
import { partKey } from "./lake-layout.js";
import type { StageProgress } from "./progress-reporter.js";
import { step } from "./result-steps.js";
import type { RetryTally } from "./retry-tally.js";
import { createStagedValueTally, type StagedValueTally } from "./staged-value-tally.js";
import { defaultRowsPerFile, type SyncTableOptions } from "./sync-options.js";
import { textLimitFor } from "./type-policies.js";

/**
 * Rows per batch handed from the MySQL stream to the encoder. The source buffers up
 * to three batches before pausing the socket; small batches keep those rows (JS
 * strings, the bulk of the heap) few, at no measurable cost in throughput.
 */
export const extractBatchRows = 2_000;
/**
 * ...and at most this many approximate value bytes, so a table of multi-megabyte
 * LONGTEXT/BLOB rows holds a few batches of about 1 MiB, not 2,000 rows of them
 * (docs/adr/0017-perf-bytes-bounded-memory.md). A narrow row (~200 bytes) never
 * reaches it: 2,000 of them are ~0.4 MiB. 1 MiB rather than 4: on 200k rows of 10 KiB
 * values, 4 MiB batches (~16 MiB of strings in flight, promoted to V8's old space while
 * they wait) peaked at 282 MiB RSS, 1 MiB batches at 209 MiB, with less CPU.
 */
export const extractBatchBytes = 1024 * 1024;
/**
 * On a worker by default, fed packed rows: this thread only copies row packets off the
 * socket, and the worker decodes, encodes and compresses them (ADR 0030). A source
 * without `extractPacked` hands on row objects, which the worker path copies (structured
 * clone): that measured slower than encoding in line (ADR 0017), so such a source is
 * encoded in line.
 */
export const defaultEncodeThread: "main" | "worker" = "worker";

/**
 * Rows wider than this on average (in a part's first batch) are encoded in line even
 * where the worker is the default: a table of large values is bound by memory, not
 * CPU, and the worker's own isolate and the transferred batches cost ~55-70 MiB more
 * peak RSS there (1 MiB values: 262 against 316 MiB; 10 KiB values: 227 against 298;
 * ADR 0030), at about the same speed.
 */
export const inLineRowBytes = 4096;

/** Where this run encodes: `--encode-thread` if given, else by whether the source packs rows. */
export const encodeThreadFor = (source: Source, options: SyncTableOptions): "main" | "worker" =>
  options.encodeThread ?? (source.extractPacked !== undefined ? defaultEncodeThread : "main");

export interface StagedParts extends StagedValueTally {
  readonly files: StagedFile[];
  readonly rows: number;
  /** Last row of the ordered pass (rows of a `nullCursor: "oldest"` NULL pass come first and are not it). */
  readonly lastRow: readonly SourceValue[] | null;
}

/**
 * Streams rows into Parquet parts of `rowsPerFile` rows. While part N uploads, part
 * N+1 is being written: at most one upload is in flight, so temp disk holds two parts.
 */
export async function stageParts(
  source: Source,
  spec: TableSpec,
  plan: ExtractPlan,
  options: SyncTableOptions,
  runId: string,
  started: Date,
  workDir: string,
  logger: Logger,
  observer: ExtractObserver,
  retries: RetryTally | undefined,
  progress: StageProgress,
  stopAtPageBoundary: (() => boolean) | undefined,
): Promise<StagedParts> {
  const tableName = formatTableRef(options.table);
  const rowsPerFile = options.rowsPerFile ?? defaultRowsPerFile;
  const encodeThread = encodeThreadFor(source, options);
  const files: StagedFile[] = [];
  const textLimit = textLimitFor(options);
  const values = createStagedValueTally(tableName, logger, textLimit?.maxBytes, options.nulInText ?? "fail");
  let writer: ParquetPartWriter | null = null;
  let batchIndex = 0;
  let rows = 0;
  let lastRow: readonly SourceValue[] | null = null;
  let upload: Promise<void> = Promise.resolve();
  const nullPassCursor =
    plan.nullCursor === "oldest" && plan.cursorColumn !== null
      ? spec.columns.findIndex((column) => column.name === plan.cursorColumn)
      : -1;

  const startPart = (first: AnyRowBatch): ParquetPartWriter => {
    batchIndex += 1;
    const wide =
      options.encodeThread === undefined &&
      isPackedBatch(first) &&
      first.packed.bytes.byteLength / first.packed.rowCount > inLineRowBytes;
    // The worker started ahead of need is ended: idle, it still holds its isolate.
    if (wide && encodeThread === "worker") void releaseSparePartWorker();
    const create =
      encodeThread === "worker" && !wide ? createThreadedParquetPartWriter : createParquetPartWriter;
    return create({
      table: tableName,
      columns: spec.columns,
      path: join(workDir, `part-${batchIndex}.parquet`),
      keyColumns: spec.primaryKey,
      invalidDates: options.invalidDates ?? "null",
      nulInText: options.nulInText ?? "fail",
      ...(textLimit ? { textLimit } : {}),
      ...(options.compression ? { compression: options.compression } : {}),
    });
  };
  const finishPart = async (part: ParquetPartWriter, index: number): Promise<void> => {
    const summary: ParquetPartSummary = await part.finish();
    await options.faultHook?.("part-written");
    values.add(summary);
    await upload;
    const key = partKey(options.table, started, runId, index);
    upload = (async () => {
      const stored = await step(options.lake.putFile(key, summary.path));
      await options.faultHook?.("part-uploaded");
      files.push({ key, uri: options.lake.uriFor(key), sizeBytes: stored.sizeBytes, rows: summary.rows });
      await rm(summary.path, { force: true });
      logger.debug("part staged", { table: tableName, key, rows: summary.rows, bytes: stored.sizeBytes });
    })();
    // Surface an upload failure at the next await instead of as an unhandled rejection.
    upload.catch(() => {});
  };

  try {
    const reading = {
      logger,
      observer,
      batchRows: extractBatchRows,
      batchBytes: extractBatchBytes,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(retries ? { retryHooks: retries.hooksFor("extract") } : {}),
      ...(stopAtPageBoundary ? { stopAtPageBoundary } : {}),
    };
    // Packed wherever the source can: encoded from their bytes, in line or on the
    // worker, rows cost less than parsed (ADR 0030).
    const batches = source.extractPacked
      ? source.extractPacked(spec, plan, reading)
      : source.extract(spec, plan, reading);
    for await (const batch of batches) {
      const count = batchRowCount(batch);
      if (count === 0) continue;
      // Before the write: a packed batch's bytes go to the worker (detached here).
      const last = batchLastRow(batch);
      writer ??= startPart(batch);
      await writer.write(batch);
      rows += count;
      progress.advance(rows);
      if (last && (nullPassCursor < 0 || last[nullPassCursor] !== null)) lastRow = last;
      if (writer.rows >= rowsPerFile) {
        const full = writer;
        writer = null;
        await finishPart(full, batchIndex);
      }
    }
    if (writer) {
      const last = writer;
      writer = null;
      await finishPart(last, batchIndex);
    }
    await upload;
  } catch (thrown) {
    await writer?.abort();
    await upload.catch(() => {});
    throw thrown;
  }
  return { files, rows, lastRow, ...values.tally };
}

/**
 * What a progress display shows as the total, capped by `--limit`: a run from the
 * table's beginning (a first snapshot, or a first keyset pass) takes InnoDB's table row
 * estimate (`TABLE_ROWS`; the optimizer's range guess over a whole-table condition can be
 * off by half); any other run the optimizer's estimate of the rows after its position.
 * Only a display's guess: when it cannot be had the display shows rows without a
 * total, and the run goes on.
 */
export async function estimateExtraction(
  source: Source,
  spec: TableSpec,
  plan: ExtractPlan,
  options: SyncTableOptions,
): Promise<number | undefined> {
  const fromTheStart = plan.snapshot ? plan.snapshot.afterKey === null : plan.after === null;
  const estimate = fromTheStart
    ? await source.estimateRows(spec.ref)
    : await source.estimatePendingRows(spec, plan);
  if (estimate.isErr()) return undefined;
  return options.limit != null ? Math.min(estimate.value, options.limit) : estimate.value;
}
