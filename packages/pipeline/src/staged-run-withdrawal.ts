import type { LedgerRun, SluiceError } from "@sluice/core";
import { configError, formatTableRef, silentLogger } from "@sluice/core";
import {
  createWatermarkStore,
  type ExtractState,
  type WatermarkDocument,
  type WatermarkStore,
  watermarkDocumentSchema,
} from "@sluice/watermark-store";
import { type Err, err, ok, type ResultAsync } from "neverthrow";
import { runStartOf } from "./abandoned-run.js";
import { type LakeTableOptions, ledgerOf } from "./lake-cleanup.js";
import { newRunId, partKey, redshiftManifestKey, runManifestKey } from "./lake-layout.js";
import { runSteps } from "./result-steps.js";
import { parseRunManifest } from "./run-manifest-schema.js";
import { listStagedRuns, type StagedRun } from "./staged-runs.js";
import { holdingTableLease } from "./table-lease.js";

/** One staged run as `sluice runs list` shows it. */
export interface StagedRunRow {
  readonly runId: string;
  readonly createdAt: string;
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
  /**
   * `true`/`false` by the warehouse ledger when a target was given; otherwise by the
   * watermark's mirror of the last load (runs load in order), which says `true` or
   * `null` (not known: a backup-only lake has no mirror).
   */
  readonly loaded: boolean | null;
  /** The watermark's extract position ends at this run (it is the last committed one). */
  readonly watermarkRun: boolean;
}

export interface RunDropOptions extends LakeTableOptions {
  readonly runId: string;
  /** Also withdraw every run staged after `runId` (each must be unloaded). */
  readonly cascade?: boolean;
  /** Plan only; take no lease, change nothing. */
  readonly dryRun?: boolean;
  readonly leaseTimeoutMs?: number;
  readonly clock?: () => Date;
}

export interface RunDropOutcome {
  readonly table: string;
  readonly dryRun: boolean;
  /** Withdrawn runs, oldest first (the named run, then later ones with `cascade`). */
  readonly runs: readonly string[];
  readonly rows: number;
  /** Objects deleted (0 on a dry run). */
  readonly objectsDeleted: number;
  /** Extract position before and after (JSON of the cursor position; null = from the start). */
  readonly positionBefore: unknown;
  readonly positionAfter: unknown;
  readonly notes: readonly string[];
}

function loadedByMirror(run: StagedRun, document: WatermarkDocument | null): boolean | null {
  const last = document?.load?.lastRunId;
  // Run ids start with their start time, and the loader takes runs oldest first.
  return last && run.runId <= last ? true : null;
}

function rowOf(run: StagedRun, document: WatermarkDocument | null): StagedRunRow {
  const ledger = run.loaded === undefined ? undefined : run.loaded !== null;
  return {
    runId: run.runId,
    createdAt: run.createdAt,
    rows: run.rows,
    files: run.files.length,
    bytes: run.files.reduce((sum, file) => sum + file.sizeBytes, 0),
    loaded: ledger ?? loadedByMirror(run, document),
    watermarkRun: document?.extract?.lastRunId === run.runId,
  };
}

async function* survey(
  options: LakeTableOptions,
): AsyncGenerator<
  Err<never, SluiceError>,
  { runs: StagedRun[]; rows: StagedRunRow[]; document: WatermarkDocument | null }
> {
  const ledger: ReadonlyMap<string, LedgerRun> | undefined = yield* ledgerOf(options);
  const runs = (yield* listStagedRuns(options.lake, options.table, ledger)).sort((a, b) =>
    a.runId.localeCompare(b.runId),
  );
  const document = yield* createWatermarkStore(options.lake).read(options.table);
  return { runs, rows: runs.map((run) => rowOf(run, document)), document };
}

/** What `runs drop` decided, under the lease: the runs, the watermark and where they started. */
interface DropPlan {
  readonly chosen: StagedRun[];
  readonly document: WatermarkDocument | null;
  readonly start: ExtractState | null;
  readonly alreadyRewound: boolean;
  readonly notes: string[];
}

/** `sluice runs list`: every staged run of the table, oldest first, and whether it is loaded. */
export function listRuns(options: LakeTableOptions): ResultAsync<StagedRunRow[], SluiceError> {
  return runSteps(`listing the staged runs of ${formatTableRef(options.table)}`, async function* () {
    return ok((yield* survey(options)).rows);
  });
}

/** The extract state run `runId` started from, validated as the watermark store's own format. */
async function* startStateOf(
  options: RunDropOptions,
  runId: string,
): AsyncGenerator<Err<never, SluiceError>, ExtractState | null> {
  const table = formatTableRef(options.table);
  const key = runManifestKey(options.table, runId);
  const body = yield* options.lake.get(key);
  if (!body)
    return yield* err(
      configError(`${table}: run ${runId} has no run manifest (${key}); \`sluice runs list -t ${table}\``),
    );
  const manifest = yield* parseRunManifest(key, new TextDecoder().decode(body));
  const started = manifest.startedFrom;
  if (!started) {
    return yield* err(
      configError(
        `${table}: run ${runId} was staged by a sluice version that did not record where it started, so it cannot be rewound automatically; read the position before it in \`sluice watermark get -t ${table}\` (history), withdraw the run's files with \`sluice s3clean clean -t ${table} --pattern '${runId}*' --force\` and move the watermark with \`sluice watermark set\``,
      ),
    );
  }
  const parsed = watermarkDocumentSchema.shape.extract.safeParse(started.extract);
  if (!parsed.success) {
    return yield* err(
      configError(
        `${table}: run manifest ${key} records a start state this sluice cannot read (${parsed.error.issues[0]?.message ?? "invalid"}); rewind by hand with \`sluice watermark set\``,
      ),
    );
  }
  return parsed.data;
}

/** Every object of the runs: run manifests first (loaders stop seeing the runs), then COPY manifests and parts. */
async function* objectsOf(
  options: RunDropOptions,
  runs: readonly StagedRun[],
): AsyncGenerator<Err<never, SluiceError>, { runManifests: string[]; rest: string[] }> {
  const runManifests = runs.map((run) => run.manifestKey);
  const rest: string[] = [];
  for (const run of runs) {
    rest.push(redshiftManifestKey(options.table, run.runId));
    const started = runStartOf(run.runId);
    const listed = run.files.map((file) => file.key);
    rest.push(...listed);
    if (started) {
      // Parts a failed upload retry left beside the listed ones share the run's prefix.
      const prefix = partKey(options.table, started, run.runId, 0).replace(/0000\.parquet$/, "");
      for (const object of yield* options.lake.list(prefix)) {
        if (!listed.includes(object.key)) rest.push(object.key);
      }
    }
  }
  return { runManifests, rest };
}

/**
 * `sluice runs drop`: withdraws an unloaded staged run so its rows can be extracted
 * again (with another policy, or after fixing the source), and moves the extract
 * position back to where that run started.
 *
 * The rule: a run's rows are covered by the watermark, and every later run started
 * from the position it left. So run R can be withdrawn only together with every run
 * staged after it (`cascade`, else refused with their list), and only when none of
 * them is loaded (loaded rows are the warehouse's; the ledger, or without a target the
 * watermark's load mirror, says). The watermark's extract position must still end at
 * the last of them (a run or `watermark set` since then: refused).
 *
 * Order, under the table's lease: the watermark is rewound first (a crash after it
 * leaves files the next `runs drop` of the same run finishes removing, which it
 * recognises by the history entry naming the run), then the run manifests (loaders
 * stop seeing the runs), then COPY manifests and parts.
 */
export function dropStagedRun(options: RunDropOptions): ResultAsync<RunDropOutcome, SluiceError> {
  const table = formatTableRef(options.table);
  return runSteps(`dropping run ${options.runId} of ${table}`, async function* () {
    const plan = async function* (): AsyncGenerator<Err<never, SluiceError>, DropPlan> {
      const { runs, rows, document } = yield* survey(options);
      const index = runs.findIndex((run) => run.runId === options.runId);
      if (index < 0) {
        return yield* err(
          configError(
            `${table}: no staged run ${options.runId}; \`sluice runs list -t ${table}\` lists them`,
          ),
        );
      }
      const chosen = runs.slice(index);
      const chosenRows = rows.slice(index);
      const loaded = chosenRows.filter((row) => row.loaded === true).map((row) => row.runId);
      if (loaded.length > 0) {
        return yield* err(
          configError(
            `${table}: run(s) ${loaded.join(", ")} are loaded in the warehouse, so ${options.runId} cannot be withdrawn (its rows, or later ones built on its position, are already there); fix the rows in MySQL and let the next sync carry the change`,
          ),
        );
      }
      const later = chosen.slice(1).map((run) => run.runId);
      if (later.length > 0 && !options.cascade) {
        return yield* err(
          configError(
            `${table}: ${later.length} run(s) were staged after ${options.runId} and start from its position: ${later.join(", ")}; withdraw them too with --cascade (their rows are extracted again), or drop only the newest`,
          ),
        );
      }
      const last = chosen[chosen.length - 1] as StagedRun;
      const rewoundFor = document?.history.at(-1);
      const alreadyRewound = rewoundFor?.event === "set" && rewoundFor.runId === options.runId;
      // An operator's `watermark set` since keeps lastRunId but marks the state overridden:
      // rewinding would silently undo it.
      const endsThere =
        document?.extract?.lastRunId === last.runId && document.extract.status === "committed";
      if (!alreadyRewound && !endsThere) {
        return yield* err(
          configError(
            `${table}: the watermark no longer ends at run ${last.runId} (last run ${document?.extract?.lastRunId || "none"}, status ${document?.extract?.status ?? "none"}): it was moved since; set it by hand (\`sluice watermark set\`) and remove the files with \`sluice s3clean clean --force\``,
          ),
        );
      }
      const start = yield* startStateOf(options, options.runId);
      const notes = options.warehouse
        ? []
        : [
            "no --target: whether the runs are loaded was judged from the watermark's load mirror; pass --target so the warehouse ledger decides",
          ];
      return { chosen, document, start, alreadyRewound, notes };
    };

    const outcome = (
      planned: DropPlan,
      dryRun: boolean,
      objectsDeleted: number,
      notes: string[],
    ): RunDropOutcome => ({
      table,
      dryRun,
      runs: planned.chosen.map((run) => run.runId),
      rows: planned.chosen.reduce((sum, run) => sum + run.rows, 0),
      objectsDeleted,
      positionBefore: planned.alreadyRewound
        ? (planned.start?.position ?? null)
        : (planned.document?.extract?.position ?? null),
      positionAfter: planned.start?.position ?? null,
      notes,
    });

    if (options.dryRun) {
      const planned = yield* plan();
      return ok(outcome(planned, true, 0, [...planned.notes]));
    }
    const clock = options.clock ?? (() => new Date());
    const notes: string[] = [];
    const leaseOptions = {
      table: options.table,
      mode: "sync" as const,
      lake: options.lake,
      logger: options.logger ?? silentLogger,
      ...(options.leaseTimeoutMs ? { leaseTimeoutMs: options.leaseTimeoutMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    };
    const watermarks = createWatermarkStore(options.lake);
    const drop = (fenced: WatermarkStore) =>
      runSteps(`dropping run ${options.runId} of ${table}`, async function* () {
        // Planned under the lease: no sync can stage, commit or load meanwhile.
        const planned = yield* plan();
        if (!planned.alreadyRewound) {
          yield* fenced.rewindExtract(
            options.table,
            planned.document?.revision ?? null,
            planned.start,
            options.runId,
          );
        }
        const { runManifests, rest } = yield* objectsOf(options, planned.chosen);
        yield* options.lake.delete(runManifests);
        for (let start = 0; start < rest.length; start += 1000) {
          yield* options.lake.delete(rest.slice(start, start + 1000));
        }
        (options.logger ?? silentLogger).warn("staged runs withdrawn", {
          table,
          runs: planned.chosen.map((run) => run.runId),
          rows: planned.chosen.reduce((sum, run) => sum + run.rows, 0),
        });
        return ok(outcome(planned, false, runManifests.length + rest.length, [...planned.notes, ...notes]));
      });
    return ok(yield* holdingTableLease(leaseOptions, newRunId(clock(), "runsdrop"), watermarks, notes, drop));
  });
}
