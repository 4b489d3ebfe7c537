import type { WatermarkDocument } from "@sluice/watermark-store";
import type { CumulativeCounts, ExtractReport, LoadSummary, StageCounts } from "./run-report.js";

/** This run's rows per stage from its extract and load reports. */
export function stageCounts(extract: ExtractReport | null, load: LoadSummary | null): StageCounts {
  return {
    extracted: extract?.rows ?? 0,
    staged: extract?.stagedRows ?? extract?.rows ?? 0,
    loaded: load?.rowsStaged ?? 0,
    // The merge deletes the target rows of keys it brings again, then inserts one row per key.
    inserted: Math.max(0, (load?.rowsInserted ?? 0) - (load?.rowsDeleted ?? 0)),
    updated: load?.rowsDeleted ?? 0,
    deleted: 0,
  };
}

export function cumulativeCounts(document: WatermarkDocument | null): CumulativeCounts | null {
  if (!document) return null;
  return { extracted: document.extract?.rowsTotal ?? 0, loaded: document.load?.rowsTotal ?? 0 };
}

/**
 * Why a run that moved rows must not report success, or null: rows extracted this run
 * that no load took, or fewer rows loaded than the manifests list.
 */
export function shortfall(
  table: string,
  extract: ExtractReport | null,
  load: LoadSummary | null,
): string | null {
  if (
    extract &&
    extract.rows > 0 &&
    extract.stagedRows !== undefined &&
    extract.stagedRows !== extract.rows
  ) {
    return `${table}: extracted ${extract.rows} rows but the run manifest lists ${extract.stagedRows}; the lake holds a partial run ${extract.runId}: rerun`;
  }
  if (!load) return null;
  if (extract && extract.rows > 0 && extract.runId && !(load.runIds ?? []).includes(extract.runId)) {
    return `${table}: extracted ${extract.rows} rows (run ${extract.runId}) but loaded ${load.rowsStaged === 0 ? "none" : `only other runs (${load.rowsStaged} rows)`}; the warehouse did not take this run: check the load ledger (sluice watermark get -t ${table} --show-files) and rerun`;
  }
  if (load.rowsExpected !== undefined && load.rowsStaged < load.rowsExpected) {
    return `${table}: the lake staged ${load.rowsExpected} rows for the runs loaded but the warehouse took ${load.rowsStaged}; rerun to load the rest`;
  }
  return null;
}
