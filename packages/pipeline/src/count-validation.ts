import { createStrategyRegistry } from "@sluice/cdc-strategies";
import type { SluiceError, Source, TableSpec } from "@sluice/core";
import { configError, formatTableRef } from "@sluice/core";
import { createWatermarkStore, type WatermarkDocument } from "@sluice/watermark-store";
import { err, ok, type ResultAsync } from "neverthrow";
import { openTableSession } from "./open-table-loader.js";
import { runSteps } from "./result-steps.js";
import { listStagedRuns } from "./staged-runs.js";
import { defaultPageSize, type SyncTableOptions } from "./sync-options.js";

/** `sluice watermark-count validate-counts`: every count of a table side by side, explained. */
export interface CountValidation {
  readonly table: string;
  readonly target: string;
  /** Rows in the source table now. */
  readonly sourceRows: number;
  /** Rows in the target table now. */
  readonly targetRows: number;
  /** The watermark's counts, session (last run) and cumulative apart; null without a document. */
  readonly watermark: {
    readonly extractedLastRun: number;
    readonly extractedTotal: number;
    readonly loadedLastRun: number;
    readonly loadedTotal: number;
  } | null;
  /** Rows the warehouse ledger records as loaded (all runs). */
  readonly ledgerRows: number;
  /** Runs staged in the lake that the ledger does not hold. */
  readonly stagedNotLoaded: { readonly runs: number; readonly rows: number };
  /** Source rows after the watermark's position (the next run's work); null when it cannot be planned. */
  readonly pendingInSource: number | null;
  /** True when the target holds as many rows as the source. */
  readonly consistent: boolean;
  /** What the differences mean, in words. */
  readonly explanations: readonly string[];
}

/** Reads source, target, ledger, lake and watermark and explains how their counts relate. */
export function validateCounts(options: SyncTableOptions): ResultAsync<CountValidation, SluiceError> {
  const table = formatTableRef(options.table);
  return runSteps(`validating the counts of ${table}`, async function* () {
    if (!options.source || !options.warehouse) {
      return err(
        configError(
          `${table}: validate-counts needs --source and --target (or SLUICE_SOURCE_URL and SLUICE_TARGET_URL)`,
        ),
      );
    }
    const warehouse = options.warehouse;
    const document = yield* createWatermarkStore(options.lake).read(options.table);
    const source = options.source;
    const spec = yield* source.describeTable(options.table);
    const sourceRows = yield* source.countRows(spec);
    const pendingInSource = await pendingRows(options, document, spec, source);
    const loader = yield* openTableSession(warehouse, table);
    try {
      const target = yield* loader.targetOf(table);
      const targetRows = yield* loader.countRows(table);
      const ledger = yield* loader.loadedRuns(table);
      const staged = yield* listStagedRuns(options.lake, options.table, ledger);
      const notLoaded = staged.filter((run) => run.loaded === null);
      const ledgerRows = [...ledger.values()].reduce((sum, run) => sum + run.rows, 0);
      const watermark = document
        ? {
            extractedLastRun: document.extract?.rowsLastRun ?? 0,
            extractedTotal: document.extract?.rowsTotal ?? 0,
            loadedLastRun: document.load?.rowsLastRun ?? 0,
            loadedTotal: document.load?.rowsTotal ?? 0,
          }
        : null;
      const stagedNotLoaded = {
        runs: notLoaded.length,
        rows: notLoaded.reduce((sum, run) => sum + run.rows, 0),
      };
      return ok({
        table,
        target,
        sourceRows,
        targetRows,
        watermark,
        ledgerRows,
        stagedNotLoaded,
        pendingInSource,
        consistent: sourceRows === targetRows,
        explanations: explain({
          table,
          target,
          sourceRows,
          targetRows,
          watermark,
          ledgerRows,
          stagedNotLoaded,
          pendingInSource,
        }),
      });
    } finally {
      await loader.close();
    }
  });
}

async function pendingRows(
  options: SyncTableOptions,
  document: WatermarkDocument | null,
  spec: TableSpec,
  source: Source,
): Promise<number | null> {
  const extract = document?.extract;
  if (!extract?.position) return null;
  const strategy = (options.strategies ?? createStrategyRegistry()).get(extract.strategy);
  if (strategy.isErr()) return null;
  const plan = strategy.value.plan({
    spec,
    after: extract.position,
    limit: null,
    pageSize: defaultPageSize,
    ceiling: null,
    ...(extract.cursorColumn ? { cursorColumn: extract.cursorColumn } : {}),
  });
  if (plan.isErr()) return null;
  const counted = await source.countRows(spec, plan.value);
  return counted.isOk() ? counted.value : null;
}

function explain(counts: Omit<CountValidation, "consistent" | "explanations">): string[] {
  const { table, target, sourceRows, targetRows, watermark, ledgerRows, stagedNotLoaded, pendingInSource } =
    counts;
  const lines: string[] = [];
  if (sourceRows === targetRows)
    lines.push(`target ${target} holds as many rows as the source (${sourceRows})`);
  if (watermark && watermark.extractedTotal > sourceRows) {
    lines.push(
      `the cumulative extracted count (${watermark.extractedTotal}) exceeds the source's ${sourceRows} rows by ${watermark.extractedTotal - sourceRows}: incremental extraction takes a row again each time it is updated after a run, so updated rows are counted twice (or more); it counts row versions, not rows`,
    );
  }
  if (watermark && watermark.extractedTotal < sourceRows && (pendingInSource ?? 0) === 0) {
    lines.push(
      `the cumulative extracted count (${watermark.extractedTotal}) is below the source's ${sourceRows} rows: it was corrected by hand, or the watermark was set past rows`,
    );
  }
  if (watermark && watermark.loadedTotal !== ledgerRows) {
    lines.push(
      `the watermark's cumulative loaded count (${watermark.loadedTotal}) differs from the ${ledgerRows} rows the warehouse ledger records: the ledger is the truth (the watermark was reset or corrected by hand since)`,
    );
  }
  if (stagedNotLoaded.rows > 0) {
    lines.push(
      `${stagedNotLoaded.rows} row(s) in ${stagedNotLoaded.runs} run(s) are staged in the lake but not loaded: run \`sluice sync -t ${table} --redshift-only\``,
    );
  }
  if ((pendingInSource ?? 0) > 0) {
    lines.push(`${pendingInSource} source row(s) changed after the watermark and wait for the next run`);
  }
  if (targetRows > sourceRows) {
    lines.push(
      `the target holds ${targetRows - sourceRows} row(s) more than the source: rows deleted in the source stay in the target (sluice carries inserts and updates, not deletes)`,
    );
  }
  if (targetRows < sourceRows) {
    const explained = stagedNotLoaded.rows + (pendingInSource ?? 0);
    const missing = sourceRows - targetRows;
    lines.push(
      explained >= missing
        ? `the target lacks ${missing} row(s), covered by the staged and pending rows above`
        : `the target lacks ${missing} row(s) and only ${explained} are staged or pending: rows were inserted behind the watermark (a cursor value older than the last run) or the watermark was set past them; \`sluice sync --verify-data\` names the key ranges, \`sluice watermark reset\` reloads the table`,
    );
  }
  return lines;
}
