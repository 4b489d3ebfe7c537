import type { ColumnStats, Logger } from "@sluice/core";
import type { ParquetPartSummary } from "@sluice/parquet-writer";

/** What the writer saw over all parts of one run, per column. */
export interface StagedValueTally {
  readonly zeroDates: Record<string, number>;
  readonly zeroDateSamples: Record<string, { readonly value: string; readonly key: string }>;
  readonly truncatedValues: Record<string, number>;
  readonly nulTextValues: Record<string, number>;
  readonly columnStats: Record<string, ColumnStats>;
}

/**
 * Sums part summaries into the run's tally (NULLs added, longest value kept) and logs
 * the first zero date and the first cut value of each column once per run, with the
 * key of the row, so an operator can find it in MySQL.
 */
export function createStagedValueTally(
  table: string,
  logger: Logger,
  textLimitBytes: number | undefined,
  nulInText: "fail" | "strip" | "replace",
): { add(summary: ParquetPartSummary): void; readonly tally: StagedValueTally } {
  const tally: StagedValueTally = {
    zeroDates: {},
    zeroDateSamples: {},
    truncatedValues: {},
    nulTextValues: {},
    columnStats: {},
  };
  return {
    tally,
    add(summary) {
      for (const [column, count] of Object.entries(summary.zeroDates)) {
        if (tally.zeroDates[column] === undefined) {
          const sample = summary.zeroDateSamples[column];
          if (sample) tally.zeroDateSamples[column] = sample;
          logger.warn(
            `${table}.${column} holds zero or invalid dates, written as NULL (invalidDates: "null"); first: ${JSON.stringify(sample?.value)} in the row with ${sample?.key}`,
            { table, column, value: sample?.value, key: sample?.key },
          );
        }
        tally.zeroDates[column] = (tally.zeroDates[column] ?? 0) + count;
      }
      for (const [column, count] of Object.entries(summary.truncatedValues)) {
        if (tally.truncatedValues[column] === undefined) {
          logger.warn(
            `${table}.${column} has values above ${textLimitBytes} bytes, cut on a character boundary (oversizeText: "truncate")`,
            { table, column },
          );
        }
        tally.truncatedValues[column] = (tally.truncatedValues[column] ?? 0) + count;
      }
      for (const [column, count] of Object.entries(summary.nulTextValues)) {
        if (tally.nulTextValues[column] === undefined) {
          const key = summary.nulTextSamples[column];
          logger.warn(
            `${table}.${column} has values with U+0000 (NUL), ${nulInText === "strip" ? "removed" : "written as U+FFFD"} (nulInText: "${nulInText}"); first in the row with ${key}`,
            { table, column, key },
          );
        }
        tally.nulTextValues[column] = (tally.nulTextValues[column] ?? 0) + count;
      }
      for (const [column, stats] of Object.entries(summary.columnStats)) {
        const total = tally.columnStats[column];
        tally.columnStats[column] = total
          ? {
              nulls: total.nulls + stats.nulls,
              maxBytes:
                total.maxBytes === null || stats.maxBytes === null
                  ? null
                  : Math.max(total.maxBytes, stats.maxBytes),
            }
          : stats;
      }
    },
  };
}
