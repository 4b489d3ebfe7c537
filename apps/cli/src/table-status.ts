import type { MysqlProbe, WaitingRows, WaitingRowsBound } from "@sluice/connectors";
import {
  formatTableRef,
  type LedgerRun,
  type ObjectStore,
  redactSecrets,
  type SluiceError,
  type TableRef,
} from "@sluice/core";
import { listStagedRuns } from "@sluice/pipeline";
import type { WarehouseLoader } from "@sluice/redshift-loader";
import { createLeaseStore, createWatermarkStore, type WatermarkDocument } from "@sluice/watermark-store";
import { type RecentRun, recentRuns } from "./recent-runs.js";
import { extractPositionText } from "./watermark-text.js";

/** Who holds the table's lease, and whether that still means anything. */
export interface LeaseState {
  readonly state: "held" | "stale" | "free";
  readonly host: string;
  readonly pid: number;
  readonly runId: string;
  readonly since: string;
  readonly renewedAt: string;
  readonly expiresAt: string;
}

/** One table's row of `sluice status`: what the lake says, and what the source and target add. */
export interface TableStatus {
  readonly table: string;
  readonly strategy: string | null;
  readonly phase: "snapshot" | "incremental" | null;
  /** Human text of the position: cursor/key, or the snapshot's progress. */
  readonly position: string;
  readonly watermark: {
    readonly extractedRunId: string | null;
    readonly extractedAt: string | null;
    readonly rowsTotal: number;
    readonly loadedRunId: string | null;
    readonly loadedAt: string | null;
    readonly loadedTotal: number;
  } | null;
  readonly lastRun: RecentRun | null;
  /** Rows above the watermark, and how they were counted; null when the source was not asked. */
  readonly waiting: WaitingRows | null;
  readonly staged: {
    readonly runs: number;
    /** Runs staged but not loaded: by the warehouse ledger when `ledger` is true, else by the watermark. */
    readonly unloaded: readonly {
      readonly runId: string;
      readonly rows: number;
      readonly createdAt: string;
    }[];
    readonly ledger: boolean;
  } | null;
  readonly lease: LeaseState | null;
  /** What could not be read, each naming where (lake, source, target) and why. */
  readonly problems: readonly string[];
  /** The first failure's error, for the exit code. */
  readonly error: SluiceError | null;
}

export interface StatusContext {
  readonly lake: ObjectStore;
  /** Absent: no source configured; a SluiceError: it could not be reached. */
  readonly probe: MysqlProbe | SluiceError | undefined;
  readonly loader: WarehouseLoader | SluiceError | undefined;
  readonly now: Date;
}

/** Where the next run starts, as the probe's bound: null when every row waits. */
export function waitingBound(doc: WatermarkDocument | null): WaitingRowsBound | null | "everything" {
  const extract = doc?.extract;
  if (!extract) return "everything";
  if (extract.strategy === "full") return "everything";
  if (extract.phase === "snapshot" && extract.snapshot) {
    return extract.snapshot.afterKey === null
      ? "everything"
      : { cursorColumn: null, cursorValue: null, keyValues: extract.snapshot.afterKey };
  }
  if (!extract.position) return "everything";
  return {
    cursorColumn: extract.cursorColumn,
    cursorValue: extract.position.cursorValue,
    keyValues: extract.position.keyValues.length > 0 ? extract.position.keyValues : null,
  };
}

/**
 * Reads one table's state: the watermark, lease and markers from the lake (always),
 * the staged runs with the ledger's view (when a target is reachable), and the rows
 * waiting above the watermark (when the source is). Never fails as a whole: what
 * could not be read is a problem of this table, so one unreachable database still
 * leaves the rest of the picture.
 */
export async function readTableStatus(
  context: StatusContext,
  table: TableRef,
  targetTable: string = formatTableRef(table),
): Promise<TableStatus> {
  const name = formatTableRef(table);
  const problems: string[] = [];
  let error: SluiceError | null = null;
  const note = (where: string, failure: SluiceError) => {
    problems.push(`${where}: ${redactSecrets(failure.message)}`);
    error ??= failure;
  };
  const { lake } = context;
  const docRead = await createWatermarkStore(lake).read(table);
  const doc = docRead.isOk() ? docRead.value : null;
  if (docRead.isErr()) note("lake", docRead.error);

  const leaseRead = await createLeaseStore(lake).read(table);
  let lease: LeaseState | null = null;
  if (leaseRead.isErr()) note("lake", leaseRead.error);
  else if (leaseRead.value) {
    const found = leaseRead.value;
    const state =
      found.releasedAt !== null ? "free" : new Date(found.expiresAt) < context.now ? "stale" : "held";
    lease = {
      state,
      host: found.holder.host,
      pid: found.holder.pid,
      runId: found.holder.runId,
      since: found.acquiredAt,
      renewedAt: found.renewedAt,
      expiresAt: found.expiresAt,
    };
  }

  const runs = await recentRuns(lake, table, 1);
  if (runs.isErr()) note("lake", runs.error);
  const lastRun = runs.isOk() ? (runs.value.at(-1) ?? null) : null;

  let ledger: ReadonlyMap<string, LedgerRun> | undefined;
  if (context.loader && !("kind" in context.loader)) {
    const loaded = await context.loader.loadedRuns(targetTable);
    if (loaded.isErr()) note("target", loaded.error);
    else ledger = loaded.value;
  } else if (context.loader) note("target", context.loader);
  let staged: TableStatus["staged"] = null;
  const stagedRuns = await listStagedRuns(lake, table, ledger);
  if (stagedRuns.isErr()) note("lake", stagedRuns.error);
  else {
    // Without the ledger, the watermark's last loaded run is the best the lake knows.
    const loadedUpTo = doc?.load?.lastRunId ?? "";
    const unloaded = stagedRuns.value.filter((run) =>
      ledger ? run.loaded === null : run.runId > loadedUpTo,
    );
    staged = {
      runs: stagedRuns.value.length,
      unloaded: unloaded.map((run) => ({ runId: run.runId, rows: run.rows, createdAt: run.createdAt })),
      ledger: ledger !== undefined,
    };
  }

  let waiting: WaitingRows | null = null;
  if (context.probe && !("kind" in context.probe)) {
    const bound = waitingBound(doc);
    const estimated = await context.probe.waitingRows(table, bound === "everything" ? null : bound);
    if (estimated.isErr()) note("source", estimated.error);
    else waiting = estimated.value;
  } else if (context.probe) note("source", context.probe);

  const extract = doc?.extract ?? null;
  return {
    table: name,
    strategy: extract?.strategy ?? null,
    phase: extract ? (extract.phase ?? "incremental") : null,
    position: positionOf(doc),
    watermark: doc
      ? {
          extractedRunId: extract?.lastRunId || null,
          extractedAt: extract?.updatedAt ?? null,
          rowsTotal: extract?.rowsTotal ?? 0,
          loadedRunId: doc.load?.lastRunId ?? null,
          loadedAt: doc.load?.loadedAt ?? null,
          loadedTotal: doc.load?.rowsTotal ?? 0,
        }
      : null,
    lastRun,
    waiting,
    staged,
    lease,
    problems,
    error,
  };
}

function positionOf(doc: WatermarkDocument | null): string {
  const extract = doc?.extract;
  if (!extract) return "no watermark (starts from the beginning)";
  if (extract.phase === "snapshot" && extract.snapshot) {
    const after = extract.snapshot.afterKey;
    return `snapshot below ${extract.snapshot.ceiling}, ${after ? `after key ${after.join(",")}` : "not started"}`;
  }
  return extractPositionText(extract);
}
