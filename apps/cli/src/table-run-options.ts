import { createStrategyRegistry } from "@sluice/cdc-strategies";
import { configError, type SluiceError, type TableRef } from "@sluice/core";
import type { SyncMode, SyncTableOptions, WarehouseTarget } from "@sluice/pipeline";
import { err, ok, type Result } from "neverthrow";
import type { CliIo } from "./cli-io.js";
import { faultHookFromEnvironment } from "./fault-injection.js";
import { reconcileSettings } from "./reconcile-options.js";
import { retryPolicyFrom } from "./retry-options.js";
import { loadStrategyModules } from "./strategy-modules.js";
import type { SyncFlags } from "./sync-flags.js";
import { tableDdlOptions } from "./table-ddl-flags.js";

/** A table's run settings, checked; the connections are added once for the whole run. */
export interface TableRunOptions {
  readonly options: Omit<SyncTableOptions, "lake" | "source" | "warehouse" | "logger">;
  /** The warehouse settings of this table, to lay over the shared connection. */
  readonly warehouse: Omit<WarehouseTarget, "connection">;
}

export function syncModeOf(flags: Pick<SyncFlags, "backupOnly" | "redshiftOnly">): SyncMode {
  return flags.backupOnly ? "backup-only" : flags.redshiftOnly ? "redshift-only" : "sync";
}

/**
 * Every per-table flag (or its pipeline-file twin), parsed where it was read (commander,
 * pipeline-file-settings.ts), into `syncTable` options. What is left to refuse here
 * involves more than one flag or the environment, still before any connection is opened.
 */
export async function tableRunOptions(
  table: TableRef,
  flags: SyncFlags,
  io: CliIo,
): Promise<Result<TableRunOptions, SluiceError>> {
  const custom = await loadStrategyModules(flags.strategyModule ?? [], io.cwd ?? process.cwd());
  if (custom.isErr()) return err(custom.error);
  const faultHook = faultHookFromEnvironment(io.env);
  if (faultHook.isErr()) return err(faultHook.error);
  const retry = retryPolicyFrom(flags);
  if ("kind" in retry) return err(retry);
  const latestView = latestViewOf(flags);
  if (latestView.isErr()) return err(latestView.error);
  const ddl = tableDdlOptions(flags);
  const settings = flags.strategyOption ?? {};
  const options: TableRunOptions["options"] = {
    table,
    mode: syncModeOf(flags),
    limit: flags.limit ?? null,
    dryRun: flags.dryRun ?? false,
    ...(flags.strategy ? { strategy: flags.strategy } : {}),
    ...(custom.value.length > 0 ? { strategies: createStrategyRegistry(custom.value) } : {}),
    ...(Object.keys(settings).length > 0 ? { strategySettings: settings } : {}),
    ...(flags.maxChunks !== undefined ? { maxChunks: flags.maxChunks } : {}),
    ...(flags.maxDuration !== undefined ? { maxDurationMs: flags.maxDuration } : {}),
    ...(flags.maxDuration !== undefined && io.budgetClock ? { budgetClock: io.budgetClock } : {}),
    ...(flags.snapshotConnections !== undefined
      ? { snapshotConnections: { count: flags.snapshotConnections } }
      : {}),
    ...(flags.nullCursor ? { nullCursor: flags.nullCursor } : {}),
    ...(flags.initialSnapshot === false ? { initialSnapshot: false } : {}),
    ...(flags.safetyLagSeconds !== undefined ? { safetyLagSeconds: flags.safetyLagSeconds } : {}),
    ...(flags.force ? { force: true } : {}),
    ...(flags.cursorColumn ? { cursorColumn: flags.cursorColumn } : {}),
    ...(flags.rowsPerFile !== undefined ? { rowsPerFile: flags.rowsPerFile } : {}),
    ...(flags.pageSize !== undefined ? { pageSize: flags.pageSize } : {}),
    ...(flags.wideDecimals ? { wideDecimals: flags.wideDecimals } : {}),
    ...(flags.oversizeText ? { oversizeText: flags.oversizeText } : {}),
    ...(flags.invalidDates ? { invalidDates: flags.invalidDates } : {}),
    ...(flags.nulInText ? { nulInText: flags.nulInText } : {}),
    ...(flags.leaseTimeout !== undefined ? { leaseTimeoutMs: flags.leaseTimeout * 60_000 } : {}),
    ...(flags.verifyData ? { verifyData: true } : {}),
    ...(flags.verifyRowsPerRange !== undefined ? { verifyRowsPerRange: flags.verifyRowsPerRange } : {}),
    ...(faultHook.value ? { faultHook: faultHook.value } : {}),
    ...(flags.since ? { loadSince: flags.since } : {}),
    ...reconcileSettings(flags),
    retry,
  };
  const warehouse: TableRunOptions["warehouse"] = {
    ...(flags.targetSchema ? { targetSchema: flags.targetSchema } : {}),
    ...(flags.iamRole ? { iamRole: flags.iamRole } : {}),
    ...(flags.copyOption && flags.copyOption.length > 0 ? { copyOptions: flags.copyOption } : {}),
    ...(flags.writeMode ? { writeMode: flags.writeMode } : {}),
    ...(latestView.value ? { latestView: latestView.value } : {}),
    ...(flags.targetName ? { targetName: flags.targetName } : {}),
    ...(Object.keys(ddl).length > 0 ? { ddl } : {}),
  };
  return ok({ options, warehouse });
}

/** A latest view takes its key and its order together; its name is optional. */
function latestViewOf(
  flags: Pick<SyncFlags, "latestViewKey" | "latestViewOrder" | "latestViewName">,
): Result<WarehouseTarget["latestView"], SluiceError> {
  const { latestViewKey: keyColumns, latestViewOrder: order, latestViewName: name } = flags;
  if (!keyColumns && !order && !name) return ok(undefined);
  if (!keyColumns || !order) {
    return err(
      configError(
        "a latest view needs both --latest-view-key <columns> and --latest-view-order <column> (latest_view_key and latest_view_order in a pipeline file)",
      ),
    );
  }
  return ok({ keyColumns, orderBy: order.trim(), ...(name ? { name: name.trim() } : {}) });
}
