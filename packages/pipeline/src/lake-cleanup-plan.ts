import type { WatermarkDocument } from "@sluice/watermark-store";
import { runStartOf } from "./abandoned-run.js";
import type { RunObjects, TableUsage } from "./lake-usage.js";

/** What `s3clean clean` selects, before the safety rules. */
export interface CleanupFilter {
  /** Only runs that started at least this long before `now` (`--older-than 7d`). */
  readonly olderThanMs?: number;
  /** Glob (`*`, `?`) on the run id or on the part file names (`--pattern`). */
  readonly pattern?: string;
  readonly now: Date;
}

/** One run a clean removes (or, with `dryRun`, would). */
export interface CleanupRun {
  readonly runId: string;
  readonly startedAt: string | null;
  readonly objects: number;
  readonly bytes: number;
  /** true: the ledger holds it; false: it does not; null: not known (no target given). */
  readonly loaded: boolean | null;
  /** Orphan: parts no run manifest lists any more (never loadable). */
  readonly orphan: boolean;
}

/** Exactly what a clean of one table deletes, in the order it deletes it. */
export interface CleanupPlan {
  readonly table: string;
  readonly runs: readonly CleanupRun[];
  /** Run manifests first (so a run stops being staged before its files go), then the rest. */
  readonly keys: { readonly runManifests: readonly string[]; readonly rest: readonly string[] };
  readonly objects: number;
  readonly bytes: number;
  /** Selected runs the ledger does not hold (or, without a target, not known to): deleted only with `force`. */
  readonly unloadedRuns: readonly string[];
  /** Rows of those runs (from their manifests, filled in by the caller). */
  readonly unloadedRows: number;
  /** Runs the filter matched but the safety rules keep: the watermark's last run and anything newer. */
  readonly keptNewerThanWatermark: number;
  /** Why the watermark protects what it does, for the report. */
  readonly watermarkBound: string;
  readonly ledgerChecked: boolean;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("")
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

/**
 * Runs with a start before the bound may be deleted. The bound is the start of the
 * watermark's last committed run: that run and every newer one (a run still going,
 * one whose extraction never committed) are kept whatever the flags, so the watermark
 * never names a manifest that is gone. A table whose extraction state was reset or
 * set by hand is bounded by when that happened; a table with no watermark keeps all.
 */
export function watermarkBound(watermark: WatermarkDocument | null): { at: Date | null; text: string } {
  const lastRunId = watermark?.extract?.lastRunId ?? "";
  const lastRunStart = lastRunId ? runStartOf(lastRunId) : null;
  if (lastRunStart)
    return { at: lastRunStart, text: `the watermark's last run ${lastRunId} and newer runs are kept` };
  const override = watermark?.lastOverride;
  if (override && (override.event === "reset" || override.event === "set")) {
    const at = new Date(override.at);
    return { at, text: `runs started after the watermark ${override.event} at ${override.at} are kept` };
  }
  return { at: null, text: "no watermark: every run is kept" };
}

function matches(run: RunObjects, filter: CleanupFilter): boolean {
  if (filter.olderThanMs !== undefined) {
    if (!run.startedAt || run.startedAt.getTime() > filter.now.getTime() - filter.olderThanMs) return false;
  }
  if (filter.pattern !== undefined) {
    const glob = globToRegExp(filter.pattern);
    const tail = (name: string) => name.slice(run.runId.length + 1);
    const byParts =
      run.partNames.length > 0 && run.partNames.every((name) => glob.test(name) || glob.test(tail(name)));
    if (!glob.test(run.runId) && !byParts) return false;
  }
  return true;
}

/** Chooses what a clean of one table deletes; pure, so a dry run shows exactly this. */
export function planCleanup(
  usage: TableUsage,
  watermark: WatermarkDocument | null,
  filter: CleanupFilter,
): CleanupPlan {
  const bound = watermarkBound(watermark);
  const beforeBound = (run: RunObjects) =>
    bound.at !== null && run.startedAt !== null && run.startedAt.getTime() < bound.at.getTime();
  const matched = [...usage.runs, ...usage.orphans].filter((run) => matches(run, filter));
  const chosen = matched.filter(beforeBound);
  const runs: CleanupRun[] = chosen.map((run) => ({
    runId: run.runId,
    startedAt: run.startedAt?.toISOString() ?? null,
    objects: run.objects,
    bytes: run.bytes,
    loaded: run.runManifestKey === null ? null : run.loaded === undefined ? null : run.loaded !== null,
    orphan: run.runManifestKey === null,
  }));
  return {
    table: usage.table,
    runs,
    keys: {
      runManifests: chosen.flatMap((run) => (run.runManifestKey ? [run.runManifestKey] : [])),
      rest: chosen.flatMap((run) => run.otherKeys),
    },
    objects: chosen.reduce((sum, run) => sum + run.objects, 0),
    bytes: chosen.reduce((sum, run) => sum + run.bytes, 0),
    unloadedRuns: runs.filter((run) => !run.orphan && run.loaded !== true).map((run) => run.runId),
    unloadedRows: 0,
    keptNewerThanWatermark: matched.length - chosen.length,
    watermarkBound: bound.text,
    ledgerChecked: usage.runs.every((run) => run.loaded !== undefined),
  };
}
