import type { Logger, SluiceError } from "@sluice/core";
import { Command, Option } from "commander";
import type { CliIo } from "./cli-io.js";
import { wholeNumberInRange } from "./flag-parsers.js";
import { planSyncRun } from "./pipeline-run-plan.js";
import { pipelineExitCode, pipelineJson, renderPipelineSummary } from "./pipeline-summary.js";
import { deleteModeOption, maxDeletesOption, reconcileDeletesOption } from "./reconcile-options.js";
import { failWith } from "./report-failure.js";
import { renderRunReport } from "./report-text.js";
import { addRetryOptions } from "./retry-options.js";
import { openRunWatch, watchOptions } from "./run-watch.js";
import { sinceOption } from "./since-option.js";
import { addTunnelOptions } from "./source-tunnel.js";
import { withEstimates } from "./sync-estimate.js";
import { syncFlagParsers as parsers, type SyncFlags } from "./sync-flags.js";
import { runPlannedSync } from "./sync-run.js";
import { addTargetTunnelOptions } from "./target-tunnel.js";

export type { SyncFlags } from "./sync-flags.js";

export function syncCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return addRetryOptions(
    addTargetTunnelOptions(
      addTunnelOptions(
        new Command("sync")
          .description(
            "copy what changed in MySQL tables into the lake (Parquet) and on into the warehouse: one table (-t), several, or a whole pipeline file (-p)",
          )
          .option(
            "-t, --table <schema.table>",
            "source table, schema-qualified (repeatable; with -p a name or glob from the file, e.g. 'shop.*')",
            collect,
            [],
          )
          .option(
            "-p, --pipeline <name-or-path>",
            "pipeline file: pipelines/<name>.yml, or a path (docs/pipelines.md)",
          )
          .option(
            "--parallel <n>",
            "tables run at once, 1 to 64 (default: the file's parallel, else 1)",
            wholeNumberInRange("--parallel", 1, 64),
          )
          .addOption(
            new Option("--max-workers <n>", "alias of --parallel (the replaced system's name)")
              .argParser(wholeNumberInRange("--max-workers", 1, 64))
              .hideHelp(),
          )
          .addOption(
            new Option(
              "-s, --scheduling <mode>",
              "sequential (one table at a time) or inter-table (--parallel, else the file's parallel, else 4)",
            ).choices(["sequential", "inter-table"]),
          )
          .option("--source <url>", "MySQL URL mysql://user:pass@host:port/db (default: $SLUICE_SOURCE_URL)"),
      ),
    ),
  )
    .option("--lake <url>", "s3://bucket/prefix or file:///path (default: $SLUICE_LAKE_URL)")
    .option("--target <url>", "postgres://... or redshift://... (default: $SLUICE_TARGET_URL)")
    .option("--target-schema <name>", "warehouse schema (default: the source schema name, lower case)")
    .option("--target-name <name>", "warehouse table name (default: the source table name, lower case)")
    .option(
      "--dist-style <style>",
      "Redshift DISTSTYLE: auto (default), even, key or all",
      parsers.distStyle("--dist-style"),
    )
    .option("--dist-key <column>", "Redshift DISTKEY column (implies DISTSTYLE KEY)")
    .option(
      "--sort-key <columns>",
      "Redshift SORTKEY: columns separated by commas, or auto (default: the cursor column)",
      parsers.sortKey("--sort-key"),
    )
    .option(
      "--sort-style <style>",
      "Redshift sort key style: compound (default) or interleaved",
      parsers.sortStyle("--sort-style"),
    )
    .option(
      "--encode <pairs>",
      "Redshift column ENCODE, e.g. note=zstd,id=az64 (default: ENCODE AUTO)",
      parsers.encode("--encode"),
    )
    .option("--iam-role <arn>", "Redshift: IAM role COPY uses to read the lake")
    .option(
      "--copy-option <option>",
      "Redshift: extra COPY option valid with FORMAT AS PARQUET (repeatable)",
      collect,
      [],
    )
    .addOption(new Option("--backup-only", "MySQL -> lake only; no warehouse").conflicts("redshiftOnly"))
    .option("--redshift-only", "lake -> warehouse only; no MySQL")
    .addOption(sinceOption())
    .option("--limit <rows>", "extract at most this many rows this run", parsers.limit("--limit"))
    .option("--dry-run", "plan and print what would move; change nothing")
    .option("--estimate", "with --dry-run: rows, bytes, files and time, from the table's previous runs")
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
    .option(
      "--strategy-option <key=value>",
      "setting handed to the strategy (repeatable)",
      parsers.strategyOption("--strategy-option"),
    )
    .option(
      "--max-duration <duration>",
      "time budget of the extraction (90 = seconds, 90s, 15m, 2h): once spent it stops at the next page boundary, commits, and the next run continues",
      parsers.maxDuration("--max-duration"),
    )
    .option(
      "--snapshot-connections <n>",
      "read a new table's initial snapshot in key ranges on n connections at once, each encoding on its own thread (a primary key that is or starts with an integer; resumable per range; pays when the source runs on another host)",
      parsers.snapshotConnections("--snapshot-connections"),
    )
    .option(
      "--max-chunks <n>",
      "issue at most this many page queries this run",
      parsers.maxChunks("--max-chunks"),
    )
    .addOption(
      new Option(
        "--null-cursor <policy>",
        "rows whose cursor is NULL: skip (default; counted and warned) or oldest (re-read every run)",
      ).choices(["skip", "oldest"]),
    )
    .option(
      "--safety-lag-seconds <seconds>",
      "keep the ceiling this far below the source clock (late commits; default 0)",
      parsers.safetyLagSeconds("--safety-lag-seconds"),
    )
    .option(
      "--no-initial-snapshot",
      "hybrid/timestamp: read a table without a watermark in cursor order, not as a primary-key snapshot",
    )
    .option("--force", "extract a large table even without an index for the strategy's queries")
    .option("--cursor-column <column>", "update-timestamp column for the hybrid strategy (default: detected)")
    .option(
      "--rows-per-file <rows>",
      "rows per Parquet file (default 1000000)",
      parsers.rowsPerFile("--rows-per-file"),
    )
    .option(
      "--page-size <rows>",
      "rows per keyset query (larger pages: fewer round trips)",
      parsers.pageSize("--page-size"),
    )
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
    .addOption(
      new Option(
        "--nul-in-text <policy>",
        "U+0000 (NUL) in text, which neither PostgreSQL nor Redshift takes: fail (default, names the row; nothing committed), strip, or replace (U+FFFD); counted",
      ).choices(["fail", "strip", "replace"]),
    )
    .option(
      "--lease-timeout <minutes>",
      "a run's lease on the table not renewed for this long is stale and taken over by the next run (default 15)",
      parsers.leaseTimeout("--lease-timeout"),
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
      parsers.latestViewKey("--latest-view-key"),
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
    .option(
      "--verify-rows-per-range <rows>",
      "rows per compared key range (default 100000)",
      parsers.verifyRowsPerRange("--verify-rows-per-range"),
    )
    .addOption(reconcileDeletesOption())
    .addOption(deleteModeOption())
    .addOption(maxDeletesOption())
    .option("--json", "print the run report as JSON on stdout")
    .addOption(new Option("--json-output", "alias of --json").hideHelp())
    .option("-v, --verbose", "log progress as JSON lines on stderr")
    .addOption(watchOptions.quiet())
    .addOption(watchOptions.logFile())
    .addOption(watchOptions.logLevel())
    .addOption(watchOptions.debug())
    .addOption(watchOptions.progressEvery())
    .action(async (flags: SyncFlags, command: Command) => {
      const explicit = (key: keyof SyncFlags) => command.getOptionValueSource(key) === "cli";
      const code = await runSyncCommand(flags, explicit, io);
      if (code !== 0) setExitCode(code);
    });
}

/**
 * Plans the run (flags, pipeline file), runs every table and prints: a single table
 * without a pipeline file keeps the one-table report (and its JSON shape); anything
 * else prints a summary table, or one JSON document with an entry per table.
 */
async function runSyncCommand(
  flags: SyncFlags,
  explicit: (key: keyof SyncFlags) => boolean,
  io: CliIo,
): Promise<number> {
  let exitCode = 0;
  const fail = failWith(io, (code) => {
    exitCode = code;
  });
  const json = flags.json === true || flags.jsonOutput === true;
  const plan = await planSyncRun(flags, explicit, io);
  if (plan.isErr()) {
    fail(plan.error);
    return exitCode;
  }
  const watch = openRunWatch(flags, io, plan.value.tables.length, plan.value.pipeline?.content.log_level);
  if (watch.isErr()) {
    fail(watch.error);
    return exitCode;
  }
  const { logger } = watch.value;
  const ran = await runPlannedSync(plan.value, io, {
    loggerFor: (table) => withTable(logger, table),
    ...watch.value.hooks,
  });
  watch.value.close();
  if ("kind" in ran) {
    fail(ran as SluiceError);
    return exitCode;
  }
  const result = flags.estimate && flags.dryRun ? await withEstimates(plan.value, ran) : ran;
  const single = plan.value.pipeline === null && plan.value.tables.length === 1;
  if (single) {
    const outcome = result.outcomes[0];
    if (!outcome) return 1;
    if (outcome.report) {
      io.stdout(
        json ? `${JSON.stringify(outcome.report, null, 2)}\n` : `${renderRunReport(outcome.report)}\n`,
      );
    }
    if (outcome.error) fail(outcome.error);
    return exitCode;
  }
  const name = plan.value.pipeline?.name ?? null;
  if (json) {
    io.stdout(`${JSON.stringify(pipelineJson(result, name), null, 2)}\n`);
  } else {
    for (const outcome of flags.quiet ? [] : result.outcomes) {
      if (outcome.report) io.stdout(`${renderRunReport(outcome.report)}\n`);
    }
    io.stdout(`${renderPipelineSummary(result, name)}\n`);
  }
  return pipelineExitCode(result);
}

/** Lines of tables running side by side stay attributable. */
function withTable(logger: Logger, table: string): Logger {
  return {
    debug: (message, fields) => logger.debug(message, { table, ...fields }),
    info: (message, fields) => logger.info(message, { table, ...fields }),
    warn: (message, fields) => logger.warn(message, { table, ...fields }),
    error: (message, fields) => logger.error(message, { table, ...fields }),
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
