import type { CdcStrategy, PlanInput } from "@sluice/cdc-strategies";
import { createStrategyRegistry, defaultStrategyName, indexAdvice } from "@sluice/cdc-strategies";
import type { CapturedCeiling, ExtractPlan, Logger, SluiceError, Source, TableSpec } from "@sluice/core";
import { configError, findColumn, formatTableRef, sluiceError } from "@sluice/core";
import type { WatermarkDocument } from "@sluice/watermark-store";
import { type Err, err, ok, type Result, type ResultAsync } from "neverthrow";
import { runSteps } from "./result-steps.js";
import { defaultPageSize, defaultUnindexedRowLimit, type SyncTableOptions } from "./sync-options.js";

/** A run's plan and how its bounds were found, for the run report. */
export interface PlannedRun {
  readonly strategy: CdcStrategy;
  readonly plan: ExtractPlan;
  /** The clock ceiling's provenance; null when the plan has no clock cursor. */
  readonly ceiling: CapturedCeiling | null;
  /** Lines for the run report (also logged as warnings). */
  readonly warnings: readonly string[];
}

/**
 * The strategy named by `--strategy`, else the one the watermark was written by, else
 * the default; switching strategy under a stored position is refused (the position
 * means something else to another strategy).
 */
export function resolveStrategy(
  options: SyncTableOptions,
  previous: WatermarkDocument | null,
): Result<CdcStrategy, SluiceError> {
  const registry = options.strategies ?? createStrategyRegistry();
  const previousName = previous?.extract?.strategy;
  const name = options.strategy ?? previousName ?? defaultStrategyName;
  // A snapshot in progress is a stored position too: another strategy would drop it.
  const stored = previous?.extract?.position || previous?.extract?.phase === "snapshot";
  if (previousName && stored && previousName !== name) {
    return err(
      configError(
        `${formatTableRef(options.table)}: the watermark was written by strategy "${previousName}", not "${name}"; run with --strategy ${previousName}, or reset the watermark (sluice watermark reset -t ${formatTableRef(options.table)}) to start over`,
      ),
    );
  }
  return registry.get(name);
}

/**
 * Plans one run: a draft names the cursor; then the ceilings the strategy asked for
 * are captured from the source (the clock ceiling lowered for open transactions and
 * the safety lag; the largest key), the plan is made again with them, and its index
 * is checked.
 */
export function planExtraction(
  source: Source,
  spec: TableSpec,
  previous: WatermarkDocument | null,
  options: SyncTableOptions,
  logger: Logger,
): ResultAsync<PlannedRun, SluiceError> {
  return runSteps(`planning the extraction of ${formatTableRef(spec.ref)}`, async function* () {
    return ok(yield* planExtractionNow(source, spec, previous, options, logger));
  });
}

async function* planExtractionNow(
  source: Source,
  spec: TableSpec,
  previous: WatermarkDocument | null,
  options: SyncTableOptions,
  logger: Logger,
): AsyncGenerator<Err<never, SluiceError>, PlannedRun> {
  const strategy = yield* resolveStrategy(options, previous);
  const warnings: string[] = [];
  const warn = (message: string, fields: Record<string, unknown> = {}) => {
    warnings.push(message);
    logger.warn(message, { table: formatTableRef(spec.ref), ...fields });
  };
  const snapshot =
    previous?.extract?.phase === "snapshot" && previous.extract.snapshot
      ? {
          ceiling: previous.extract.snapshot.ceiling,
          afterKey: previous.extract.snapshot.afterKey,
          ...(previous.extract.snapshot.ranges ? { ranges: previous.extract.snapshot.ranges } : {}),
        }
      : null;
  const input: PlanInput = {
    spec,
    after: previous?.extract?.position ?? null,
    ...(snapshot ? { snapshot } : {}),
    ceiling: null,
    limit: options.limit ?? null,
    maxChunks: options.maxChunks ?? null,
    pageSize: options.pageSize ?? defaultPageSize,
    ...(options.cursorColumn ? { cursorColumn: options.cursorColumn } : {}),
    ...(options.nullCursor ? { nullCursor: options.nullCursor } : {}),
    ...(options.initialSnapshot === false ? { initialSnapshot: false } : {}),
    ...(options.strategySettings ? { settings: options.strategySettings } : {}),
  };
  const draft = strategy.plan(input);
  if (draft.isErr()) return yield* err(draft.error);
  if (snapshot && draft.value.snapshot && previous?.extract?.cursorColumn !== draft.value.cursorColumn) {
    return yield* err(
      sluiceError(
        "watermark",
        `${formatTableRef(spec.ref)}: the initial snapshot in progress reads below a ceiling on ${previous?.extract?.cursorColumn ?? "no column"}, but this run's cursor is ${draft.value.cursorColumn}; run with --cursor-column ${previous?.extract?.cursorColumn ?? "<column>"}, or reset the watermark (sluice watermark reset -t ${formatTableRef(spec.ref)}) to start over`,
      ),
    );
  }

  let captured: CapturedCeiling | null = null;
  let ceiling: string | null = null;
  const cursor = draft.value.cursorColumn === null ? undefined : findColumn(spec, draft.value.cursorColumn);
  const clockCursor = cursor?.logical.kind === "datetime" || cursor?.logical.kind === "timestamp";
  // A snapshot in progress keeps the ceiling it started with (the draft carries it):
  // its runs together must read exactly the rows below one ceiling.
  const frozen = draft.value.snapshot !== undefined && snapshot !== null;
  if (!frozen && strategy.needsCeiling && cursor && (clockCursor || cursor.logical.kind === "date")) {
    // Captured once, from the source's own clock: rows stamped at or after it are
    // still being written (or sit in transactions still open) and wait for the next run.
    const fsp = "fsp" in cursor.logical ? cursor.logical.fsp : 0;
    // TIMESTAMP cursors read as UTC; a DATETIME cursor filled by CURRENT_TIMESTAMP holds
    // the server zone's wall clock, so its ceiling must come from the same clock.
    const clock = cursor.logical.kind === "timestamp" ? "utc" : "server";
    captured = yield* source.captureCeiling({
      fsp,
      clock,
      ...(options.safetyLagSeconds !== undefined ? { safetyLagSeconds: options.safetyLagSeconds } : {}),
    });
    ceiling = captured.ceiling;
    if (!captured.openTransactionsChecked) {
      warn(
        `${formatTableRef(spec.ref)}: cannot see open transactions (information_schema.innodb_trx needs the PROCESS privilege, or the server time zone cannot be converted); a transaction that commits after this run with an older ${cursor.name} than the ceiling is missed unless it is shorter than --safety-lag-seconds (now ${captured.safetyLagSeconds}); GRANT PROCESS ON *.* TO the sluice user, or raise the lag above your longest write transaction`,
      );
    } else if (captured.boundBy === "open-transaction" && captured.oldestOpenTransaction) {
      logger.info("ceiling held below an open transaction", {
        table: formatTableRef(spec.ref),
        ceiling,
        transactionStarted: captured.oldestOpenTransaction.startedAt,
        thread: captured.oldestOpenTransaction.threadId,
      });
    }
  }
  let keyCeiling: string[] | null = null;
  if (strategy.needsKeyCeiling && draft.value.keyColumns.length > 0) {
    keyCeiling = yield* source.maxKey(spec, draft.value.keyColumns);
  }
  const planned =
    ceiling === null && keyCeiling === null ? draft : strategy.plan({ ...input, ceiling, keyCeiling });
  if (planned.isErr()) return yield* err(planned.error);
  yield* checkIndex(source, spec, planned.value, options, warn);
  return { strategy, plan: planned.value, ceiling: captured, warnings };
}

/**
 * Every extraction query should be an index range scan. Without a fitting index each
 * page scans the table: a warning names the index to create, and above
 * `unindexedRowLimit` estimated rows the run is refused unless `force`.
 */
async function* checkIndex(
  source: Source,
  spec: TableSpec,
  plan: ExtractPlan,
  options: SyncTableOptions,
  warn: (message: string, fields?: Record<string, unknown>) => void,
): AsyncGenerator<Err<never, SluiceError>, void> {
  const advice = indexAdvice(spec, plan);
  if (advice.createIndexSql === null) return;
  const table = formatTableRef(spec.ref);
  const limit = options.unindexedRowLimit ?? defaultUnindexedRowLimit;
  const rows = yield* source.estimateRows(spec.ref);
  const what = `${table}: no index starts with (${advice.columns.join(", ")}), so every ${plan.strategy} page query scans the table (about ${rows} rows)`;
  if (rows > limit && !options.force) {
    return yield* err(
      configError(
        `${what}; refusing above ${limit} rows: create the index with \`${advice.createIndexSql}\`, or pass --force to scan anyway`,
      ),
    );
  }
  warn(`${what}; create it with \`${advice.createIndexSql}\``, { createIndex: advice.createIndexSql });
}
