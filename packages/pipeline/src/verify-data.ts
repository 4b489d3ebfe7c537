import type { KeyRange, SluiceError } from "@sluice/core";
import { configError, formatTableRef, uncheckedKinds } from "@sluice/core";
import { err, ok, type ResultAsync } from "neverthrow";
import { openTableSession } from "./open-table-loader.js";
import { runSteps } from "./result-steps.js";
import type { DataVerification, RangeMismatch } from "./run-report.js";
import type { SyncTableOptions } from "./sync-options.js";

/** Rows per compared key range unless `verifyRowsPerRange` says otherwise. */
export const defaultVerifyRowsPerRange = 100_000;

/**
 * Compares the source table with its target: the source cuts the table into key
 * ranges of `verifyRowsPerRange` rows, then both databases compute, per range, the
 * row count and the sum of a 60-bit MD5 prefix of each row's canonical text (SQL in
 * docs/watermarks.md). Only aggregates cross the network. Ranges that differ are
 * returned; float, JSON and TIME columns are compared by count only.
 */
export function verifyTableData(options: SyncTableOptions): ResultAsync<DataVerification, SluiceError> {
  const tableName = formatTableRef(options.table);
  return runSteps(`verifying ${tableName}`, async function* () {
    if (!options.source || !options.warehouse) {
      return err(configError(`${tableName}: --verify-data needs both --source and --target`));
    }
    const warehouse = options.warehouse;
    const source = options.source;
    const spec = yield* source.describeTable(options.table);
    const rowsPerRange = options.verifyRowsPerRange ?? defaultVerifyRowsPerRange;
    const boundaries = yield* source.keyBoundaries(spec, rowsPerRange);
    const cuts: (readonly string[] | null)[] = [null, ...boundaries, null];
    const ranges: KeyRange[] = cuts
      .slice(0, -1)
      .map((from, index) => ({ from, to: cuts[index + 1] ?? null }));
    const sourceSums = yield* source.checksumRanges(spec, ranges);
    const loader = yield* openTableSession(warehouse, tableName);
    try {
      const target = yield* loader.targetOf(tableName);
      const targetSums = yield* loader.checksumRanges(tableName, spec.columns, spec.primaryKey, ranges);
      const mismatches: RangeMismatch[] = [];
      ranges.forEach((range, index) => {
        const mine = sourceSums[index];
        const theirs = targetSums[index];
        if (!mine || !theirs) return;
        if (mine.rows === theirs.rows && mine.checksum === theirs.checksum) return;
        mismatches.push({
          from: range.from,
          to: range.to,
          sourceRows: mine.rows,
          targetRows: theirs.rows,
          sourceChecksum: mine.checksum,
          targetChecksum: theirs.checksum,
        });
      });
      const total = (sums: readonly { rows: number }[]) => sums.reduce((sum, range) => sum + range.rows, 0);
      return ok({
        target,
        sourceRows: total(sourceSums),
        targetRows: total(targetSums),
        ranges: ranges.length,
        uncheckedColumns: spec.columns
          .filter((column) => uncheckedKinds.has(column.logical.kind))
          .map((column) => column.name),
        mismatches,
      });
    } finally {
      await loader.close();
    }
  });
}
