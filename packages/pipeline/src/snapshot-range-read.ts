import { join } from "node:path";
import { canonicalText } from "@sluice/cdc-strategies";
import {
  batchLastRow,
  batchRowCount,
  type CursorPosition,
  type ExtractPlan,
  type RetryPolicy,
  type Source,
  type SourceValue,
  type SqlStatement,
  type TableSpec,
} from "@sluice/core";
import type { ParquetPartOptions, ParquetPartSummary, ParquetPartWriter } from "@sluice/parquet-writer";
import { createParquetPartWriter } from "@sluice/parquet-writer";

/** How a lane reads: the same on a worker thread and on the run's own thread. */
export interface RangeReadSettings {
  /** The part writer's options but its path. */
  readonly part: Omit<ParquetPartOptions, "path">;
  readonly rowsPerFile: number;
  readonly batchRows: number;
  readonly batchBytes: number;
  /** Parts are written here as `lane<L>-part-<N>.parquet`. */
  readonly workDir: string;
  readonly lane: number;
  readonly retry?: RetryPolicy;
  /** True once the run's time budget is spent: the range stops at its next page boundary. */
  readonly stop: () => boolean;
}

/** What a lane tells the run while it reads a range. */
export interface RangeReadEvents {
  /** A finished part file; resolves once the run took it (its upload started), so parts on disk stay few. */
  part(summary: ParquetPartSummary): Promise<void>;
  /** Rows read so far in this range. */
  rows(count: number): void;
  query(statement: SqlStatement): void;
  nullCursorRows(count: number | null): void;
}

/** How one range ended: see `SnapshotRangeOutcome` of @sluice/cdc-strategies. */
export interface RangeRead {
  readonly rows: number;
  readonly lastKey: readonly string[] | null;
  readonly exhausted: boolean;
  /** Read (by the source) only for the range that ends at the table's end, when exhausted. */
  readonly snapshotEnd?: CursorPosition | null;
}

let partNumber = 0;

/**
 * Reads one key range of an initial snapshot into Parquet parts of `rowsPerFile` rows.
 * The range's plan is the run's plan with `snapshot.afterKey`/`throughKey` set; it
 * carries the NULL-cursor policy only for the one range of a run that should read or
 * count the NULL-cursor rows. Throws a SluiceError on failure, after removing the
 * part being written (finished parts belong to the run, which removes them).
 */
export async function readSnapshotRange(
  source: Source,
  spec: TableSpec,
  plan: ExtractPlan,
  settings: RangeReadSettings,
  events: RangeReadEvents,
): Promise<RangeRead> {
  const keyIndexes = (plan.snapshot?.keyColumns ?? []).map((name) =>
    spec.columns.findIndex((column) => column.name === name),
  );
  const cursorIndex =
    plan.cursorColumn === null ? -1 : spec.columns.findIndex((column) => column.name === plan.cursorColumn);
  let exhausted = false;
  let snapshotEnd: CursorPosition | null | undefined;
  let lastRow: readonly SourceValue[] | null = null;
  let rows = 0;
  let writer: ParquetPartWriter | null = null;
  const start = (): ParquetPartWriter => {
    partNumber += 1;
    return createParquetPartWriter({
      ...settings.part,
      path: join(settings.workDir, `lane${settings.lane}-part-${partNumber}.parquet`),
    });
  };
  const observer = {
    query: (statement: SqlStatement) => events.query(statement),
    nullCursorRows: (count: number | null) => events.nullCursorRows(count),
    exhausted: () => {
      exhausted = true;
    },
    snapshotEnd: (position: CursorPosition | null) => {
      snapshotEnd = position;
    },
  };
  try {
    const reading = {
      observer,
      batchRows: settings.batchRows,
      batchBytes: settings.batchBytes,
      stopAtPageBoundary: settings.stop,
      ...(settings.retry ? { retry: settings.retry } : {}),
    };
    // Packed where the source can: this lane's in-line writer encodes values where
    // they lie in the packet bytes, which costs less than parsing rows (ADR 0030).
    const batches = source.extractPacked
      ? source.extractPacked(spec, plan, reading)
      : source.extract(spec, plan, reading);
    for await (const batch of batches) {
      const count = batchRowCount(batch);
      if (count === 0) continue;
      const last = batchLastRow(batch);
      writer ??= start();
      await writer.write(batch);
      rows += count;
      events.rows(rows);
      // Rows of a NULL-cursor pass come first and are not the range's order.
      if (last && (cursorIndex < 0 || last[cursorIndex] !== null)) lastRow = last;
      if (writer.rows >= settings.rowsPerFile) {
        const full = writer;
        writer = null;
        await events.part(await full.finish());
      }
    }
    if (writer) {
      const last = writer;
      writer = null;
      await events.part(await last.finish());
    }
  } catch (thrown) {
    await writer?.abort();
    throw thrown;
  }
  const row = lastRow;
  const lastKey = row === null ? null : keyIndexes.map((index) => canonicalText(row[index] ?? null) ?? "");
  const isLast = (plan.snapshot?.throughKey ?? null) === null;
  return {
    rows,
    lastKey,
    exhausted,
    ...(isLast && exhausted && snapshotEnd !== undefined ? { snapshotEnd } : {}),
  };
}
