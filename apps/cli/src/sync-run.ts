import { randomBytes } from "node:crypto";
import { formatTableRef, type Logger, type SluiceError } from "@sluice/core";
import {
  isIncompleteRun,
  newRunId,
  type RunReport,
  type SyncProgress,
  syncTable,
  writePipelineMarkers,
} from "@sluice/pipeline";
import type { CliIo } from "./cli-io.js";
import { openedTarget, resolveConnections } from "./connection-settings.js";
import { exitCodeFor } from "./exit-codes.js";
import type { PlannedTable, RunPlan } from "./pipeline-run-plan.js";
import { s3AttemptsFor } from "./retry-options.js";
import { reachSource } from "./source-tunnel.js";
import { syncModeOf, type TableRunOptions, tableRunOptions } from "./table-run-options.js";
import { snapshotConnectionsFor, withTableSource } from "./table-source.js";
import { reachTarget } from "./target-tunnel.js";

/** One table's end of a run: its report, or the error that stopped it (with what it did). */
export interface TableOutcome {
  readonly table: string;
  readonly status: "ok" | "failed" | "skipped";
  readonly report: RunReport | null;
  readonly error: SluiceError | null;
  readonly exitCode: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** Why a table was skipped (a table it depends on failed). */
  readonly note?: string;
}

export interface SyncRunResult {
  readonly runId: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly outcomes: readonly TableOutcome[];
  /** Why the pipeline's own markers could not be written, if they could not. */
  readonly markerProblem: SluiceError | null;
}

export interface SyncRunHooks {
  readonly loggerFor: (table: string) => Logger;
  readonly onTableStart?: (table: string) => void;
  readonly onTableEnd?: (outcome: TableOutcome) => void;
  /** Rows done per stage, throttled to one event per `progressEveryMs` (progress-display.ts). */
  readonly onProgress?: (progress: SyncProgress) => void;
  readonly progressEveryMs?: number;
}

/**
 * Runs the planned tables, `plan.parallel` at a time, over one set of connections (one
 * lake client, one tunnel per bastion). Each table has its own lease, watermark and
 * failure: a table that fails never stops or changes the others. A table waits for
 * the tables it `depends_on` that are in this run, and is skipped if one failed.
 * Returns an error only when nothing could start (a connection that cannot be set up).
 */
export async function runPlannedSync(
  plan: RunPlan,
  io: CliIo,
  hooks: SyncRunHooks,
): Promise<SyncRunResult | SluiceError> {
  const startedAt = new Date();
  const runId = newRunId(startedAt, randomBytes(3).toString("hex"));
  const prepared = new Map<PlannedTable, TableRunOptions | SluiceError>();
  for (const planned of plan.tables) {
    const options = await tableRunOptions(planned.table, planned.flags, io);
    prepared.set(planned, options.isOk() ? options.value : options.error);
  }
  const firstGood = [...prepared.values()].find((value): value is TableRunOptions => !("kind" in value));
  const mode = syncModeOf(plan.flags);
  const connections = resolveConnections(
    plan.flags,
    plan.env,
    { source: mode !== "redshift-only", target: mode !== "backup-only" },
    {
      maxAttempts: s3AttemptsFor(firstGood?.options.retry ?? { attempts: 0, baseDelayMs: 0, maxDelayMs: 0 }),
    },
  );
  if (connections.isErr()) return connections.error;
  const { lake } = connections.value;
  const reachedSource = await reachSource(plan.flags, plan.env, connections.value.source);
  if (reachedSource.isErr()) {
    lake.close?.();
    return reachedSource.error;
  }
  const reachedTarget = await reachTarget(plan.flags, plan.env, connections.value.warehouse?.connection);
  if (reachedTarget.isErr()) {
    await reachedSource.value.close();
    lake.close?.();
    return reachedTarget.error;
  }
  const source = reachedSource.value.source;
  const targetConnection = reachedTarget.value.connection;
  const baseWarehouse = connections.value.warehouse;

  const runOne = async (planned: PlannedTable): Promise<TableOutcome> => {
    const table = formatTableRef(planned.table);
    const tableStarted = new Date();
    const settled = prepared.get(planned);
    const finish = (report: RunReport | null, error: SluiceError | null): TableOutcome => ({
      table,
      status: error ? "failed" : "ok",
      report,
      error,
      exitCode: error ? exitCodeFor(error.kind, error.retryable) : 0,
      startedAt: tableStarted,
      finishedAt: new Date(),
    });
    if (!settled || "kind" in settled) return finish(null, settled as SluiceError);
    hooks.onTableStart?.(table);
    const result = await withTableSource(source, (opened) =>
      syncTable({
        ...settled.options,
        lake,
        logger: hooks.loggerFor(table),
        ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
        ...(hooks.progressEveryMs !== undefined ? { progressEveryMs: hooks.progressEveryMs } : {}),
        ...(opened ? { source: opened } : {}),
        ...(settled.options.snapshotConnections && source
          ? { snapshotConnections: snapshotConnectionsFor(settled.options.snapshotConnections.count, source) }
          : {}),
        ...(baseWarehouse && targetConnection
          ? {
              warehouse: openedTarget(
                { ...baseWarehouse, ...settled.warehouse, connection: targetConnection },
                lake,
              ),
            }
          : {}),
        ...(plan.pipeline ? { pipeline: plan.pipeline.name } : {}),
      }),
    );
    if (result.isOk()) return finish(result.value, null);
    return finish(isIncompleteRun(result.error) ? result.error.report : null, result.error);
  };

  const outcomes = new Map<PlannedTable, TableOutcome>();
  try {
    await runPool(plan, runOne, outcomes, hooks);
  } finally {
    await reachedTarget.value.close();
    await reachedSource.value.close();
  }
  const finishedAt = new Date();
  const ordered = plan.tables.map((planned) => outcomes.get(planned) as TableOutcome);
  let markerProblem: SluiceError | null = null;
  const dryRun = plan.flags.dryRun ?? false;
  if (plan.pipeline && !dryRun) {
    const written = await writePipelineMarkers(lake, {
      pipeline: plan.pipeline.name,
      runId,
      startedAt,
      finishedAt,
      mode,
      tables: ordered.map((outcome) => ({
        table: outcome.table,
        ...(outcome.report ? { report: outcome.report } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
        startedAt: outcome.startedAt,
        finishedAt: outcome.finishedAt,
      })),
    });
    if (written.isErr()) markerProblem = written.error;
  }
  lake.close?.();
  return { runId, startedAt, finishedAt, outcomes: ordered, markerProblem };
}

/** At most `plan.parallel` tables in flight; dependencies first. */
async function runPool(
  plan: RunPlan,
  runOne: (planned: PlannedTable) => Promise<TableOutcome>,
  outcomes: Map<PlannedTable, TableOutcome>,
  hooks: SyncRunHooks,
): Promise<void> {
  const byName = new Map(
    plan.tables.map((planned) => [formatTableRef(planned.table).toLowerCase(), planned]),
  );
  const waiting = [...plan.tables];
  const running = new Set<Promise<void>>();
  const dependenciesOf = (planned: PlannedTable) =>
    planned.dependsOn
      .map((name) => byName.get(name.toLowerCase()))
      .filter((found): found is PlannedTable => found !== undefined);
  const record = (planned: PlannedTable, outcome: TableOutcome) => {
    outcomes.set(planned, outcome);
    hooks.onTableEnd?.(outcome);
  };
  while (waiting.length > 0 || running.size > 0) {
    let started = false;
    for (let index = 0; index < waiting.length && running.size < plan.parallel; ) {
      const planned = waiting[index] as PlannedTable;
      const dependencies = dependenciesOf(planned);
      const failed = dependencies.find((dependency) => {
        const status = outcomes.get(dependency)?.status;
        return status !== undefined && status !== "ok";
      });
      if (failed) {
        waiting.splice(index, 1);
        record(
          planned,
          skipped(
            planned,
            1,
            `not run: ${formatTableRef(failed.table)}, which it depends on, did not succeed`,
          ),
        );
        started = true;
        continue;
      }
      if (!dependencies.every((dependency) => outcomes.has(dependency))) {
        index += 1;
        continue;
      }
      waiting.splice(index, 1);
      started = true;
      const task: Promise<void> = runOne(planned)
        .then((outcome) => record(planned, outcome))
        .finally(() => running.delete(task));
      running.add(task);
    }
    if (running.size > 0) {
      await Promise.race(running);
    } else if (!started && waiting.length > 0) {
      // Every waiting table depends on another waiting one: a cycle in depends_on.
      for (const planned of waiting.splice(0)) {
        record(
          planned,
          skipped(planned, 2, "not run: its depends_on forms a cycle; fix depends_on in the pipeline file"),
        );
      }
    }
  }
}

/** A table the pool did not run, and why. */
function skipped(planned: PlannedTable, exitCode: number, note: string): TableOutcome {
  const now = new Date();
  return {
    table: formatTableRef(planned.table),
    status: "skipped",
    report: null,
    error: null,
    exitCode,
    startedAt: now,
    finishedAt: now,
    note,
  };
}
