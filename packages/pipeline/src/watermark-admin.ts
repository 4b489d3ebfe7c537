import { hostname } from "node:os";
import type { CursorPosition, Logger, ObjectStore, SluiceError, TableRef } from "@sluice/core";
import { configError, formatTableRef, silentLogger, sluiceError } from "@sluice/core";
import {
  createLeaseStore,
  createWatermarkStore,
  type LeaseDocument,
  type WatermarkDocument,
  type WatermarkStore,
} from "@sluice/watermark-store";
import { err, ok, type Result, type ResultAsync } from "neverthrow";
import { type AbandonedRunCleanup, cleanUpAbandonedRun } from "./abandoned-run.js";
import { newRunId } from "./lake-layout.js";
import { runSteps } from "./result-steps.js";
import type { SeedWatermark } from "./seed-watermark.js";
import { holdingTableLease } from "./table-lease.js";

/** Where an operator's watermark change applies. */
export interface WatermarkAdminOptions {
  readonly table: TableRef;
  readonly lake: ObjectStore;
  readonly logger?: Logger;
  /** Lease timeout (default 15 min), as for syncs: the operator holds the lease while writing. */
  readonly leaseTimeoutMs?: number;
  readonly clock?: () => Date;
}

/** A manual position: `--timestamp` and `--id` of `sluice watermark set`. */
export interface ManualPosition {
  /** Cursor value; required for cursor strategies (hybrid), refused for `id`. */
  readonly timestamp?: string;
  /** Primary-key values of the last row to count as extracted; default: before every key at that timestamp. */
  readonly keyValues?: readonly string[];
  /** Strategy, needed only when the table was never extracted. */
  readonly strategy?: string;
}

/** What `reset` / `force-reset` did. */
export interface ResetOutcome {
  readonly document: WatermarkDocument;
  /** Where the previous document was copied; null when there was none. */
  readonly backupKey: string | null;
  /** force-reset only: the lease it broke, when a run held one. */
  readonly brokenLease: LeaseDocument | null;
  /** force-reset only: what the broken run had staged without committing, removed. */
  readonly cleanup: AbandonedRunCleanup | null;
  readonly notes: readonly string[];
}

/** Lowest value of a signed 64-bit key: "before every key" for integer keys. */
const beforeEveryKey = "-9223372036854775808";

/**
 * Runs an operator's change holding the table's lease, like a sync: refused (kind
 * `conflict`, naming the holder) while a run holds it, so a hand edit can never
 * interleave with a run's commits. A lease left by a dead run is taken over as a
 * sync would, cleaning up what that run staged.
 */
function asOperator<T>(
  options: WatermarkAdminOptions,
  change: (watermarks: WatermarkStore, notes: string[]) => ResultAsync<T, SluiceError>,
): ResultAsync<{ value: T; notes: string[] }, SluiceError> {
  const notes: string[] = [];
  const now = (options.clock ?? (() => new Date()))();
  const runId = newRunId(now, "operator");
  const watermarks = createWatermarkStore(options.lake);
  return holdingTableLease(
    { table: options.table, mode: "sync", lake: options.lake, ...leaseSettings(options) },
    runId,
    watermarks,
    notes,
    (fenced) => change(fenced, notes).map((value) => ({ value, notes })),
  );
}

function leaseSettings(options: WatermarkAdminOptions) {
  return {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.leaseTimeoutMs ? { leaseTimeoutMs: options.leaseTimeoutMs } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
}

/** `YYYY-MM-DD[ HH:MM:SS[.ffffff]]` (or with `T`), as MySQL prints cursor values. */
function cursorText(table: string, given: string): Result<string, SluiceError> {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(\.\d{1,6})?)?$/.exec(given.trim());
  if (!match) {
    return err(
      configError(
        `${table}: --timestamp "${given}" is not a cursor value; write it as MySQL prints it, e.g. '2024-05-01 12:00:00' or '2024-05-01 12:00:00.123456'`,
      ),
    );
  }
  const [, date, time, fraction] = match;
  return ok(time ? `${date} ${time}${fraction ?? ""}` : `${date}`);
}

/**
 * `sluice watermark set`: moves the extraction cursor by hand. The next run reads the
 * rows after the position. The change is recorded in the document (`lastOverride`,
 * with the previous position to undo it, and history).
 */
export function setWatermark(
  options: WatermarkAdminOptions,
  manual: ManualPosition,
): ResultAsync<WatermarkDocument, SluiceError> {
  const table = formatTableRef(options.table);
  return runSteps(`setting the watermark of ${table}`, async function* () {
    const { value } = yield* asOperator(options, (watermarks) =>
      runSteps(`setting the watermark of ${table}`, async function* () {
        const current = yield* watermarks.read(options.table);
        const strategy = manual.strategy ?? current?.extract?.strategy ?? "hybrid";
        const keyCount = current?.extract?.position?.keyValues.length ?? 1;
        let position: CursorPosition;
        if (strategy === "id") {
          if (manual.timestamp !== undefined) {
            return err(
              configError(
                `${table} is extracted by the id strategy, which has no cursor column: pass only --id`,
              ),
            );
          }
          if (!manual.keyValues)
            return err(configError(`${table}: pass --id <last key extracted> for the id strategy`));
          position = { cursorValue: null, keyValues: [...manual.keyValues] };
        } else {
          if (manual.timestamp === undefined) {
            return err(
              configError(`${table}: pass --timestamp '<cursor value>' (and optionally --id <key>)`),
            );
          }
          if (!manual.keyValues && keyCount !== 1) {
            return err(
              configError(
                `${table} has a primary key of ${keyCount} columns: pass --id with ${keyCount} values separated by commas`,
              ),
            );
          }
          position = {
            cursorValue: yield* cursorText(table, manual.timestamp),
            keyValues: manual.keyValues ? [...manual.keyValues] : [beforeEveryKey],
          };
        }
        if (position.keyValues.length !== keyCount && current?.extract?.position) {
          return err(
            configError(
              `${table}: --id has ${position.keyValues.length} value(s) but the primary key has ${keyCount} column(s)`,
            ),
          );
        }
        return ok(yield* watermarks.set(options.table, position, { strategy }));
      }),
    );
    return ok(value);
  });
}

/**
 * `sluice watermark reset` (and `force-reset`): copies the document to
 * `_state/<table>/backups/<time>.json`, then clears extract and load state so the
 * next run starts from the beginning. Refused while a run holds the lease, unless
 * `force`: then the lease is broken first (the holder, if still running, is
 * refused at its next commit) and what it staged without committing is removed.
 */
export function resetWatermark(
  options: WatermarkAdminOptions,
  reset: { force: boolean },
): ResultAsync<ResetOutcome, SluiceError> {
  const table = formatTableRef(options.table);
  return runSteps(`resetting the watermark of ${table}`, async function* () {
    const logger = options.logger ?? silentLogger;
    let brokenLease: LeaseDocument | null = null;
    let cleanup: AbandonedRunCleanup | null = null;
    const forcedNotes: string[] = [];
    if (reset.force) {
      const leases = createLeaseStore(options.lake, leaseStoreSettings(options));
      const previous = yield* leases.breakLease(
        options.table,
        `sluice watermark force-reset on ${hostname()} (pid ${process.pid})`,
      );
      if (previous && previous.releasedAt === null) {
        brokenLease = previous;
        logger.warn("lease broken by force-reset", { table, holder: previous.holder.id });
        forcedNotes.push(
          `broke the lease of run ${previous.holder.runId} on ${previous.holder.host} (pid ${previous.holder.pid}); if that run is still going it stops at its next commit`,
        );
        const watermark = yield* createWatermarkStore(options.lake).read(options.table);
        cleanup = yield* cleanUpAbandonedRun(
          options.lake,
          options.table,
          previous.holder.runId,
          watermark,
          logger,
        );
      }
    }
    const { value, notes } = yield* asOperator(options, (watermarks) =>
      watermarks
        .backup(options.table)
        .andThen((backupKey) =>
          watermarks
            .reset(options.table, backupKey ? { backupKey } : {})
            .map((document) => ({ document, backupKey })),
        ),
    );
    return ok({ ...value, brokenLease, cleanup, notes: [...forcedNotes, ...notes] });
  });
}

function leaseStoreSettings(options: WatermarkAdminOptions) {
  return {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.leaseTimeoutMs ? { timeoutMs: options.leaseTimeoutMs } : {}),
    ...(options.clock ? { now: options.clock } : {}),
  };
}

/** `sluice watermark-count set-count`: corrects a cumulative count, holding the lease. */
export function setCumulativeCount(
  options: WatermarkAdminOptions,
  change: { stage: "extract" | "load"; mode: "absolute" | "additive"; count: number },
): ResultAsync<WatermarkDocument, SluiceError> {
  const table = formatTableRef(options.table);
  return runSteps(`setting the count of ${table}`, async function* () {
    const { value } = yield* asOperator(options, (watermarks) => watermarks.setCount(options.table, change));
    return ok(value);
  });
}

/** What `sluice watermark import-seed` did. */
export interface SeedImportOutcome {
  readonly document: WatermarkDocument;
  readonly notes: readonly string[];
}

/**
 * `sluice watermark import-seed`: takes over the position and counts of the system
 * sluice replaces (see `parseSeedWatermark`), so the first sluice run continues where
 * it stopped instead of copying the table again. Refused when sluice already has an
 * extraction position for the table, unless `force` (the previous position is kept in
 * `lastOverride` and history, as for `set`).
 */
export function importSeedWatermark(
  options: WatermarkAdminOptions,
  seed: SeedWatermark,
  settings: { force: boolean; strategy?: string },
): ResultAsync<SeedImportOutcome, SluiceError> {
  const table = formatTableRef(options.table);
  return runSteps(`importing the seed watermark of ${table}`, async function* () {
    const current = yield* createWatermarkStore(options.lake).read(options.table);
    if (current?.extract?.position && !settings.force) {
      return err(
        sluiceError(
          "conflict",
          `${table} already has a sluice watermark (strategy ${current.extract.strategy}); importing the seed's position would move it: compare with sluice watermark get, then pass --force to replace it (the old position stays in the document's history)`,
        ),
      );
    }
    const strategy = settings.strategy ?? (seed.timestamp === null ? "id" : "hybrid");
    let document = yield* setWatermark(options, {
      ...(seed.timestamp !== null ? { timestamp: seed.timestamp } : {}),
      ...(seed.lastId !== null ? { keyValues: [seed.lastId] } : {}),
      strategy,
    });
    const notes = [
      `imported the ${seed.shape} seed watermark: position (${[seed.timestamp, seed.lastId].filter((value) => value !== null).join(", ")}), strategy ${strategy}`,
    ];
    if (seed.extractedRows !== null) {
      document = yield* setCumulativeCount(options, {
        stage: "extract",
        mode: "absolute",
        count: seed.extractedRows,
      });
    }
    if (seed.loadedRows !== null) {
      // sluice's load counts mirror its own ledger in the warehouse; a count it did
      // not load would be overwritten by the next mirror update, so it is only shown.
      notes.push(
        `the seed's loaded count (${seed.loadedRows}) is not imported: sluice counts what its own ledger holds; sluice watermark-count validate-counts compares the target with the source`,
      );
    }
    if (seed.shape === "legacy" && seed.extractedRows !== null) {
      notes.push(
        "the legacy document's mysql_rows_extracted was taken as the cumulative extracted count; check it with sluice watermark-count validate-counts",
      );
    }
    if (seed.processedFiles > 0) {
      notes.push(
        `${seed.processedFiles} file(s) the seed recorded as loaded are not tracked by sluice: it loads only the runs it staged itself, so they are never loaded twice`,
      );
    }
    return ok({ document, notes });
  });
}
