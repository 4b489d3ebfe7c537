import { createStrategyRegistry } from "@sluice/cdc-strategies";
import { configError, type SluiceError, type TableRef } from "@sluice/core";
import type { SyncMode, SyncTableOptions, WarehouseTarget } from "@sluice/pipeline";
import { err, ok, type Result } from "neverthrow";
import type { CliIo } from "./cli-io.js";
import { faultHookFromEnvironment } from "./fault-injection.js";
import { durationInMilliseconds, flagValue } from "./flag-parsers.js";
import { reconcileSettings } from "./reconcile-options.js";
import { retryPolicyFrom } from "./retry-options.js";
import { parseSince } from "./since-option.js";
import { loadStrategyModules } from "./strategy-modules.js";
import type { SyncFlags } from "./sync-flags.js";
import { parseTableDdlFlags } from "./table-ddl-flags.js";

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
 * Every per-table flag (or its pipeline-file twin) into `syncTable` options. Each bad
 * value is refused with the flag's name, before any connection is opened.
 */
export async function tableRunOptions(
  table: TableRef,
  flags: SyncFlags,
  io: CliIo,
): Promise<Result<TableRunOptions, SluiceError>> {
  const count = (flag: string, text: string | undefined) => parseCount(flag, text);
  const limit = count("--limit", flags.limit);
  const rowsPerFile = count("--rows-per-file", flags.rowsPerFile);
  const pageSize = count("--page-size", flags.pageSize);
  const leaseTimeoutMinutes = count("--lease-timeout", flags.leaseTimeout);
  const maxChunks = count("--max-chunks", flags.maxChunks);
  const verifyRowsPerRange = count("--verify-rows-per-range", flags.verifyRowsPerRange);
  for (const parsed of [limit, rowsPerFile, pageSize, leaseTimeoutMinutes, maxChunks, verifyRowsPerRange]) {
    if (parsed instanceof Error) return err(configError(parsed.message));
  }
  const maxDuration = flagValue(durationInMilliseconds("--max-duration"), flags.maxDuration);
  if ("error" in maxDuration) return err(maxDuration.error);
  const safetyLag = flags.safetyLagSeconds?.trim();
  if (safetyLag !== undefined && !/^[0-9]+(\.[0-9]+)?$/.test(safetyLag)) {
    return err(
      configError(`--safety-lag-seconds must be a number of seconds >= 0, got "${flags.safetyLagSeconds}"`),
    );
  }
  const reconcile = reconcileSettings(flags);
  if ("kind" in reconcile) return err(reconcile);
  const settings = parseSettings(flags.strategyOption ?? []);
  if (settings instanceof Error) return err(configError(settings.message));
  const custom = await loadStrategyModules(flags.strategyModule ?? [], io.cwd ?? process.cwd());
  if (custom.isErr()) return err(custom.error);
  const since = parseSince(flags.since);
  if (since && "kind" in since) return err(since);
  const faultHook = faultHookFromEnvironment(io.env);
  if (faultHook instanceof Error) return err(configError(faultHook.message));
  const retry = retryPolicyFrom(flags);
  if ("kind" in retry) return err(retry);
  const ddl = parseTableDdlFlags(flags);
  if (ddl.isErr()) return err(ddl.error);
  const latestView = parseLatestView(flags);
  if (latestView instanceof Error) return err(configError(latestView.message));
  const numberOf = (value: number | undefined | Error) => (typeof value === "number" ? value : undefined);
  const lease = numberOf(leaseTimeoutMinutes);
  const options: TableRunOptions["options"] = {
    table,
    mode: syncModeOf(flags),
    limit: numberOf(limit) ?? null,
    dryRun: flags.dryRun ?? false,
    ...(flags.strategy ? { strategy: flags.strategy } : {}),
    ...(custom.value.length > 0 ? { strategies: createStrategyRegistry(custom.value) } : {}),
    ...(Object.keys(settings).length > 0 ? { strategySettings: settings } : {}),
    ...(numberOf(maxChunks) ? { maxChunks: numberOf(maxChunks) as number } : {}),
    ...(maxDuration.value !== undefined ? { maxDurationMs: maxDuration.value } : {}),
    ...(maxDuration.value !== undefined && io.budgetClock ? { budgetClock: io.budgetClock } : {}),
    ...(flags.nullCursor ? { nullCursor: flags.nullCursor } : {}),
    ...(flags.initialSnapshot === false ? { initialSnapshot: false } : {}),
    ...(safetyLag !== undefined ? { safetyLagSeconds: Number(safetyLag) } : {}),
    ...(flags.force ? { force: true } : {}),
    ...(flags.cursorColumn ? { cursorColumn: flags.cursorColumn } : {}),
    ...(numberOf(rowsPerFile) ? { rowsPerFile: numberOf(rowsPerFile) as number } : {}),
    ...(numberOf(pageSize) ? { pageSize: numberOf(pageSize) as number } : {}),
    ...(flags.wideDecimals ? { wideDecimals: flags.wideDecimals } : {}),
    ...(flags.oversizeText ? { oversizeText: flags.oversizeText } : {}),
    ...(flags.invalidDates ? { invalidDates: flags.invalidDates } : {}),
    ...(flags.nulInText ? { nulInText: flags.nulInText } : {}),
    ...(lease ? { leaseTimeoutMs: lease * 60_000 } : {}),
    ...(flags.verifyData ? { verifyData: true } : {}),
    ...(numberOf(verifyRowsPerRange) ? { verifyRowsPerRange: numberOf(verifyRowsPerRange) as number } : {}),
    ...(faultHook ? { faultHook } : {}),
    ...(since ? { loadSince: since } : {}),
    ...reconcile,
    retry,
  };
  const warehouse: TableRunOptions["warehouse"] = {
    ...(flags.targetSchema ? { targetSchema: flags.targetSchema } : {}),
    ...(flags.iamRole ? { iamRole: flags.iamRole } : {}),
    ...(flags.copyOption && flags.copyOption.length > 0 ? { copyOptions: flags.copyOption } : {}),
    ...(flags.writeMode ? { writeMode: flags.writeMode } : {}),
    ...(latestView ? { latestView } : {}),
    ...(flags.targetName ? { targetName: flags.targetName } : {}),
    ...(Object.keys(ddl.value).length > 0 ? { ddl: ddl.value } : {}),
  };
  return ok({ options, warehouse });
}

function parseSettings(pairs: readonly string[]): Record<string, string> | Error {
  const settings: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) return new Error(`--strategy-option must be key=value, got "${pair}"`);
    settings[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return settings;
}

function parseCount(flag: string, text: string | undefined): number | undefined | Error {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(text.trim()))
    return new Error(`${flag} must be a positive whole number, got "${text}"`);
  return Number(text);
}

function parseLatestView(flags: SyncFlags) {
  const { latestViewKey: key, latestViewOrder: order, latestViewName: name } = flags;
  if (!key && !order && !name) return undefined;
  if (!key || !order) {
    return new Error("a latest view needs both --latest-view-key <columns> and --latest-view-order <column>");
  }
  const keyColumns = key
    .split(",")
    .map((column) => column.trim())
    .filter((column) => column.length > 0);
  return { keyColumns, orderBy: order.trim(), ...(name ? { name: name.trim() } : {}) };
}
