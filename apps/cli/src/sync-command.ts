import { createStrategyRegistry } from "@sluice/cdc-strategies";
import type { SluiceError } from "@sluice/core";
import { configError, createJsonLogger, parseTableRef, silentLogger } from "@sluice/core";
import type { SyncMode } from "@sluice/pipeline";
import { isIncompleteRun, syncTable } from "@sluice/pipeline";
import { Command, Option } from "commander";
import type { CliIo } from "./cli-io.js";
import { resolveConnections } from "./connection-settings.js";
import { faultHookFromEnvironment } from "./fault-injection.js";
import {
  deleteModeOption,
  maxDeletesOption,
  type ReconcileFlags,
  reconcileSettings,
} from "./reconcile-options.js";
import { failWith } from "./report-failure.js";
import { renderRunReport } from "./report-text.js";
import { addRetryOptions, type RetryFlags, retryPolicyFrom, s3AttemptsFor } from "./retry-options.js";
import { parseSince } from "./since-option.js";
import { addTunnelOptions, reachSource, type TunnelFlags } from "./source-tunnel.js";
import { loadStrategyModules } from "./strategy-modules.js";
import { parseTableDdlFlags } from "./table-ddl-flags.js";

interface SyncFlags extends ReconcileFlags, TunnelFlags, RetryFlags {
  table: string;
  source?: string;
  lake?: string;
  target?: string;
  targetSchema?: string;
  targetName?: string;
  distStyle?: string;
  distKey?: string;
  sortKey?: string;
  sortStyle?: string;
  encode?: string;
  iamRole?: string;
  backupOnly?: boolean;
  redshiftOnly?: boolean;
  limit?: string;
  dryRun?: boolean;
  strategy?: string;
  strategyModule?: string[];
  strategyOption?: string[];
  maxChunks?: string;
  nullCursor?: "skip" | "oldest";
  /** `--no-initial-snapshot` sets it false. */
  initialSnapshot?: boolean;
  safetyLagSeconds?: string;
  force?: boolean;
  cursorColumn?: string;
  rowsPerFile?: string;
  pageSize?: string;
  wideDecimals?: "fail" | "text";
  oversizeText?: "fail" | "truncate";
  invalidDates?: "null" | "fail";
  leaseTimeout?: string;
  verifyData?: boolean;
  writeMode?: "merge" | "append" | "replace";
  latestViewKey?: string;
  latestViewOrder?: string;
  latestViewName?: string;
  verifyRowsPerRange?: string;
  since?: string;
  json?: boolean;
  verbose?: boolean;
}

export function syncCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return addRetryOptions(
    addTunnelOptions(
      new Command("sync")
        .description("copy what changed in one MySQL table into the lake (Parquet) and on into the warehouse")
        .requiredOption("-t, --table <schema.table>", "source table, schema-qualified")
        .option("--source <url>", "MySQL URL mysql://user:pass@host:port/db (default: $SLUICE_SOURCE_URL)"),
    ),
  )
    .option("--lake <url>", "s3://bucket/prefix or file:///path (default: $SLUICE_LAKE_URL)")
    .option("--target <url>", "postgres://... or redshift://... (default: $SLUICE_TARGET_URL)")
    .option("--target-schema <name>", "warehouse schema (default: the source schema name, lower case)")
    .option("--target-name <name>", "warehouse table name (default: the source table name, lower case)")
    .option("--dist-style <style>", "Redshift DISTSTYLE: auto (default), even, key or all")
    .option("--dist-key <column>", "Redshift DISTKEY column (implies DISTSTYLE KEY)")
    .option(
      "--sort-key <columns>",
      "Redshift SORTKEY: columns separated by commas, or auto (default: the cursor column)",
    )
    .option("--sort-style <style>", "Redshift sort key style: compound (default) or interleaved")
    .option("--encode <pairs>", "Redshift column ENCODE, e.g. note=zstd,id=az64 (default: ENCODE AUTO)")
    .option("--iam-role <arn>", "Redshift: IAM role COPY uses to read the lake")
    .addOption(new Option("--backup-only", "MySQL -> lake only; no warehouse").conflicts("redshiftOnly"))
    .option("--redshift-only", "lake -> warehouse only; no MySQL")
    .option(
      "--since <time>",
      "load only staged runs extracted at or after this UTC time, e.g. '2025-09-09 12:00:00'",
    )
    .option("--limit <rows>", "extract at most this many rows this run")
    .option("--dry-run", "plan and print what would move; change nothing")
    .option(
      "--strategy <name>",
      "CDC strategy: hybrid (default), timestamp, id, full, or one loaded with --strategy-module",
    )
    .option(
      "--strategy-module <path-or-package>",
      "load custom CDC strategies from a JavaScript module (repeatable; see docs/custom-strategy.md)",
      collect,
      [],
    )
    .option("--strategy-option <key=value>", "setting handed to the strategy (repeatable)", collect, [])
    .option("--max-chunks <n>", "issue at most this many page queries this run")
    .addOption(
      new Option(
        "--null-cursor <policy>",
        "rows whose cursor is NULL: skip (default; counted and warned) or oldest (re-read every run)",
      ).choices(["skip", "oldest"]),
    )
    .option(
      "--safety-lag-seconds <seconds>",
      "keep the ceiling this far below the source clock (late commits; default 0)",
    )
    .option(
      "--no-initial-snapshot",
      "hybrid/timestamp: read a table without a watermark in cursor order, not as a primary-key snapshot",
    )
    .option("--force", "extract a large table even without an index for the strategy's queries")
    .option("--cursor-column <column>", "update-timestamp column for the hybrid strategy (default: detected)")
    .option("--rows-per-file <rows>", "rows per Parquet file", "1000000")
    .option("--page-size <rows>", "rows per keyset query (larger pages: fewer round trips)")
    .addOption(
      new Option(
        "--wide-decimals <policy>",
        "DECIMAL above 38 digits: fail (default) or text (exact text, VARCHAR in the warehouse)",
      ).choices(["fail", "text"]),
    )
    .addOption(
      new Option(
        "--oversize-text <policy>",
        "Redshift target, text above 65535 bytes: fail (default, names the row) or truncate (cut on a character boundary, counted)",
      ).choices(["fail", "truncate"]),
    )
    .addOption(
      new Option(
        "--invalid-dates <policy>",
        "zero/invalid dates (0000-00-00, 2024-02-30): null (default, counted and logged) or fail",
      ).choices(["null", "fail"]),
    )
    .option(
      "--lease-timeout <minutes>",
      "a run's lease on the table not renewed for this long is stale and taken over by the next run",
      "15",
    )
    .addOption(
      new Option(
        "--write-mode <mode>",
        "merge (default: upsert by primary key), append (keep every version) or replace (each run replaces the table)",
      ).choices(["merge", "append", "replace"]),
    )
    .option(
      "--latest-view-key <columns>",
      "append tables: keep a view of the newest row per these key columns",
    )
    .option(
      "--latest-view-order <column>",
      "the column that orders versions for the latest view (newest wins)",
    )
    .option("--latest-view-name <name>", "the latest view's name (default: <target>_latest)")
    .option(
      "--verify-data",
      "after the load, compare row counts and per-key-range checksums of source and target; fail naming the ranges that differ",
    )
    .option("--verify-rows-per-range <rows>", "rows per compared key range (default 100000)")
    .option(
      "--reconcile-deletes <cadence>",
      "after the load, find rows deleted in MySQL by primary-key reconciliation: off (default), every run, or N-hours (e.g. 24h) since the last",
    )
    .addOption(deleteModeOption())
    .addOption(maxDeletesOption())
    .option("--json", "print the run report as JSON on stdout")
    .option("-v, --verbose", "log progress as JSON lines on stderr")
    .action(async (flags: SyncFlags) => {
      const outcome = await runSync(flags, io);
      if (outcome) failWith(io, setExitCode)(outcome);
    });
}

async function runSync(flags: SyncFlags, io: CliIo): Promise<SluiceError | null> {
  const table = parseTableRef(flags.table);
  if (table.isErr()) return table.error;
  const limit = parseCount("--limit", flags.limit);
  if (limit instanceof Error) return configError(limit.message);
  const rowsPerFile = parseCount("--rows-per-file", flags.rowsPerFile);
  if (rowsPerFile instanceof Error) return configError(rowsPerFile.message);
  const pageSize = parseCount("--page-size", flags.pageSize);
  if (pageSize instanceof Error) return configError(pageSize.message);
  const leaseTimeoutMinutes = parseCount("--lease-timeout", flags.leaseTimeout);
  if (leaseTimeoutMinutes instanceof Error) return configError(leaseTimeoutMinutes.message);
  const maxChunks = parseCount("--max-chunks", flags.maxChunks);
  if (maxChunks instanceof Error) return configError(maxChunks.message);
  const safetyLag = flags.safetyLagSeconds?.trim();
  if (safetyLag !== undefined && !/^[0-9]+(\.[0-9]+)?$/.test(safetyLag)) {
    return configError(
      `--safety-lag-seconds must be a number of seconds >= 0, got "${flags.safetyLagSeconds}"`,
    );
  }
  const reconcile = reconcileSettings(flags);
  if ("kind" in reconcile) return reconcile;
  const settings = parseSettings(flags.strategyOption ?? []);
  if (settings instanceof Error) return configError(settings.message);
  const custom = await loadStrategyModules(flags.strategyModule ?? [], io.cwd ?? process.cwd());
  if (custom.isErr()) return custom.error;
  const verifyRowsPerRange = parseCount("--verify-rows-per-range", flags.verifyRowsPerRange);
  if (verifyRowsPerRange instanceof Error) return configError(verifyRowsPerRange.message);
  const since = parseSince(flags.since);
  if (since && "kind" in since) return since;
  const faultHook = faultHookFromEnvironment(io.env);
  if (faultHook instanceof Error) return configError(faultHook.message);
  const retry = retryPolicyFrom(flags);
  if ("kind" in retry) return retry;
  const mode: SyncMode = flags.backupOnly ? "backup-only" : flags.redshiftOnly ? "redshift-only" : "sync";
  const connections = resolveConnections(
    flags,
    io.env,
    { source: mode !== "redshift-only", target: mode !== "backup-only" },
    { maxAttempts: s3AttemptsFor(retry) },
  );
  if (connections.isErr()) return connections.error;
  const ddl = parseTableDdlFlags(flags);
  if (ddl.isErr()) return ddl.error;
  const latestView = parseLatestView(flags);
  if (latestView instanceof Error) return configError(latestView.message);
  const warehouse = connections.value.warehouse
    ? {
        ...connections.value.warehouse,
        ...(flags.writeMode ? { writeMode: flags.writeMode } : {}),
        ...(latestView ? { latestView } : {}),
        ...(flags.targetName ? { targetName: flags.targetName } : {}),
        ...(Object.keys(ddl.value).length > 0 ? { ddl: ddl.value } : {}),
      }
    : undefined;
  const logger = flags.verbose
    ? createJsonLogger({ level: "info", write: (line) => io.stderr(`${line}\n`) })
    : silentLogger;
  // Opens the bastion tunnel when one is configured; closed whatever the outcome.
  const opened = await reachSource(flags, io.env, connections.value.source);
  if (opened.isErr()) return opened.error;
  const reached = opened.value;
  const source = reached.source;
  const report = await syncTable({
    table: table.value,
    mode,
    lake: connections.value.lake,
    logger,
    limit: limit ?? null,
    dryRun: flags.dryRun ?? false,
    ...(source ? { source } : {}),
    ...(warehouse ? { warehouse } : {}),
    ...(flags.strategy ? { strategy: flags.strategy } : {}),
    ...(custom.value.length > 0 ? { strategies: createStrategyRegistry(custom.value) } : {}),
    ...(Object.keys(settings).length > 0 ? { strategySettings: settings } : {}),
    ...(maxChunks ? { maxChunks } : {}),
    ...(flags.nullCursor ? { nullCursor: flags.nullCursor } : {}),
    ...(flags.initialSnapshot === false ? { initialSnapshot: false } : {}),
    ...(safetyLag !== undefined ? { safetyLagSeconds: Number(safetyLag) } : {}),
    ...(flags.force ? { force: true } : {}),
    ...(flags.cursorColumn ? { cursorColumn: flags.cursorColumn } : {}),
    ...(rowsPerFile ? { rowsPerFile } : {}),
    ...(pageSize ? { pageSize } : {}),
    ...(flags.wideDecimals ? { wideDecimals: flags.wideDecimals } : {}),
    ...(flags.oversizeText ? { oversizeText: flags.oversizeText } : {}),
    ...(flags.invalidDates ? { invalidDates: flags.invalidDates } : {}),
    ...(leaseTimeoutMinutes ? { leaseTimeoutMs: leaseTimeoutMinutes * 60_000 } : {}),
    ...(flags.verifyData ? { verifyData: true } : {}),
    ...(verifyRowsPerRange ? { verifyRowsPerRange } : {}),
    ...(faultHook ? { faultHook } : {}),
    ...(since ? { loadSince: since } : {}),
    ...reconcile,
    retry,
  });
  await reached.close();
  connections.value.lake.close?.();
  if (report.isErr()) {
    // A run that did work but failed a check still shows what each stage did.
    if (isIncompleteRun(report.error)) {
      io.stdout(
        flags.json
          ? `${JSON.stringify(report.error.report, null, 2)}\n`
          : `${renderRunReport(report.error.report)}\n`,
      );
    }
    return report.error;
  }
  io.stdout(flags.json ? `${JSON.stringify(report.value, null, 2)}\n` : `${renderRunReport(report.value)}\n`);
  return null;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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
