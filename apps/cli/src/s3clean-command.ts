import type { SluiceError, TableRef } from "@sluice/core";
import { configError, formatTableRef, parseTableRef } from "@sluice/core";
import {
  type CleanupOutcome,
  cleanLakeTable,
  lakeTables,
  surveyLakeTable,
  type TableUsage,
  type WarehouseTarget,
} from "@sluice/pipeline";
import { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import { openedTarget, type ResolvedConnections, resolveConnections } from "./connection-settings.js";
import { ageInMilliseconds } from "./flag-parsers.js";
import { type SettledTableCommand, settleTableCommand } from "./pipeline-table-flags.js";
import { failWith } from "./report-failure.js";

interface CleanFlags {
  table: string[];
  pipeline?: string;
  lake?: string;
  target?: string;
  targetSchema?: string;
  targetName?: string;
  /** Milliseconds (parsed by `ageInMilliseconds`). */
  olderThan?: number;
  pattern?: string;
  dryRun?: boolean;
  force?: boolean;
  showTimestamps?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function addCommonOptions(command: Command): Command {
  return command
    .option("-t, --table <schema.table>", "table to work on (repeatable)", collect, [])
    .option(
      "-p, --pipeline <name-or-path>",
      "the tables of a pipeline file (or the -t ones among them), with its lake and target",
    )
    .option("--lake <url>", "s3://bucket/prefix or file:///path (default: $SLUICE_LAKE_URL)")
    .option(
      "--target <url>",
      "warehouse whose load ledger says which runs are loaded (default: $SLUICE_TARGET_URL)",
    )
    .option("--target-schema <name>", "warehouse schema (default: the source schema name)")
    .option("--target-name <name>", "warehouse table name (default: the source table name)")
    .option("--json", "print JSON");
}

/**
 * `sluice s3clean list|clean|clean-all`: the replaced system's lake pruning, made
 * safe by construction (packages/pipeline/src/lake-cleanup.ts; docs/s3clean.md).
 */
export function s3cleanCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const command = new Command("s3clean").description(
    "show and prune staged runs in the lake (never _state/ or _markers/, never an unloaded run without --force)",
  );
  const fail = failWith(io, setExitCode);

  const open = (flags: CleanFlags, env: CliIo["env"]) => {
    const withTarget = Boolean(flags.target ?? env.SLUICE_TARGET_URL);
    return resolveConnections(flags, env, { source: false, target: withTarget }).map(
      (resolved): ResolvedConnections => ({
        lake: resolved.lake,
        ...(resolved.warehouse
          ? {
              warehouse: {
                ...resolved.warehouse,
                ...(flags.targetName ? { targetName: flags.targetName } : {}),
              },
            }
          : {}),
      }),
    );
  };

  /**
   * The tables to work on, each with its warehouse settings: with `-p`, the pipeline's
   * tables (or the `-t` ones among them), each with its own target schema and name.
   */
  const tablesOf = async (
    flags: CleanFlags,
    settled: SettledTableCommand<CleanFlags>,
    connections: ResolvedConnections,
    everyTableWhenNone: boolean,
  ): Promise<{ table: TableRef; warehouse: WarehouseTarget | undefined }[] | SluiceError> => {
    const { lake } = connections;
    const warehouse = connections.warehouse && openedTarget(connections.warehouse, lake);
    if (settled.pipeline) {
      return settled.tables.map((planned) => ({
        table: planned.table,
        warehouse: warehouse
          ? {
              ...warehouse,
              ...(planned.flags.targetSchema ? { targetSchema: planned.flags.targetSchema } : {}),
              ...(planned.flags.targetName ? { targetName: planned.flags.targetName } : {}),
            }
          : undefined,
      }));
    }
    if (flags.table.length === 0) {
      if (!everyTableWhenNone) return configError("name the table(s) to clean with -t schema.table");
      const found = await lakeTables(lake);
      return found.isErr() ? found.error : found.value.map((table) => ({ table, warehouse }));
    }
    const tables: { table: TableRef; warehouse: WarehouseTarget | undefined }[] = [];
    for (const text of flags.table) {
      const parsed = parseTableRef(text);
      if (parsed.isErr()) return parsed.error;
      tables.push({ table: parsed.value, warehouse });
    }
    return tables;
  };

  addCommonOptions(
    command
      .command("list")
      .description("objects, size and runs per table (every table in the lake without -t)"),
  )
    .option("--show-timestamps", "list each run with its start time, size and load state")
    .action(async (given: CleanFlags, self: Command) => {
      const settled = await settleTableCommand(given, self, io);
      if (settled.isErr()) return fail(settled.error);
      const flags = settled.value.flags;
      const connections = open(flags, settled.value.env);
      if (connections.isErr()) return fail(connections.error);
      const { lake } = connections.value;
      const tables = await tablesOf(flags, settled.value, connections.value, true);
      if ("kind" in tables) return fail(tables);
      const usages: TableUsage[] = [];
      for (const { table, warehouse } of tables) {
        const usage = await surveyLakeTable({ lake, table, ...(warehouse ? { warehouse } : {}) });
        if (usage.isErr()) return fail(usage.error);
        usages.push(usage.value);
      }
      lake.close?.();
      if (flags.json) return void io.stdout(`${JSON.stringify(usages, null, 2)}\n`);
      if (usages.length === 0) io.stdout("no tables in the lake\n");
      for (const usage of usages) io.stdout(`${usageText(usage, flags.showTimestamps ?? false)}\n`);
    });

  for (const all of [false, true]) {
    addCommonOptions(
      command
        .command(all ? "clean-all" : "clean")
        .description(
          all
            ? "prune runs older than --older-than in every table of the lake (or the -t tables)"
            : "prune the staged runs of the -t table(s); whole runs only, run manifests first",
        ),
    )
      .option(
        "--older-than <age>",
        "only runs started longer ago than this: 7d, 24h, 30m",
        ageInMilliseconds("--older-than"),
      )
      .option(
        "--pattern <glob>",
        "only runs whose run id (or every part file name) matches, e.g. '20260901*'",
      )
      .option("--dry-run", "list exactly what would be deleted; delete nothing")
      .option("--force", "also delete runs the warehouse has not loaded (their rows are lost to it)")
      .action(async (given: CleanFlags, self: Command) => {
        const settled = await settleTableCommand(given, self, io);
        if (settled.isErr()) return fail(settled.error);
        const flags = settled.value.flags;
        const olderThanMs = flags.olderThan;
        if (all && olderThanMs === undefined) {
          return fail(configError("clean-all needs --older-than (e.g. --older-than 30d)"));
        }
        const connections = open(flags, settled.value.env);
        if (connections.isErr()) return fail(connections.error);
        const { lake } = connections.value;
        const tables = await tablesOf(flags, settled.value, connections.value, all);
        if ("kind" in tables) return fail(tables);
        const outcomes: CleanupOutcome[] = [];
        let firstError: SluiceError | null = null;
        const now = new Date();
        for (const { table, warehouse } of tables) {
          const outcome = await cleanLakeTable({
            lake,
            table,
            ...(warehouse ? { warehouse } : {}),
            filter: {
              now,
              ...(olderThanMs !== undefined ? { olderThanMs } : {}),
              ...(flags.pattern ? { pattern: flags.pattern } : {}),
            },
            force: flags.force ?? false,
            dryRun: flags.dryRun ?? false,
          });
          if (outcome.isErr()) {
            // One table's refusal does not stop the others; the command still fails.
            firstError ??= outcome.error;
            if (tables.length > 1)
              io.stderr(`sluice: ${formatTableRef(table)}: skipped: ${outcome.error.message}\n`);
            continue;
          }
          outcomes.push(outcome.value);
          if (!flags.json) io.stdout(`${cleanupText(outcome.value)}\n`);
        }
        lake.close?.();
        if (flags.json) io.stdout(`${JSON.stringify(outcomes, null, 2)}\n`);
        const refused = outcomes.find((outcome) => outcome.refusal);
        if (firstError) return fail(firstError);
        // A dry run that the real clean would refuse fails the same way, so scripts see it.
        if (refused?.refusal) return fail(configError(refused.refusal));
      });
  }
  return command;
}

function usageText(usage: TableUsage, showTimestamps: boolean): string {
  const known = usage.runs.every((run) => run.loaded !== undefined);
  const loaded = usage.runs.filter((run) => run.loaded).length;
  const lines = [
    `${usage.table}\t${usage.runs.length} run(s)${known ? ` (${loaded} loaded, ${usage.runs.length - loaded} not loaded)` : ""}\t${usage.objects} object(s)\t${sizeText(usage.bytes)}${usage.orphans.length > 0 ? `\t${usage.orphans.length} orphan run(s) without a manifest` : ""}${usage.foreignObjects > 0 ? `\t${usage.foreignObjects} object(s) not written by sluice` : ""}`,
  ];
  if (showTimestamps) {
    for (const run of [...usage.runs, ...usage.orphans]) {
      const state =
        run.runManifestKey === null
          ? "orphan (no run manifest)"
          : run.loaded === undefined
            ? "load state unknown (no --target)"
            : run.loaded
              ? `loaded ${run.loaded.loadedAt}`
              : "not loaded";
      lines.push(
        `  ${run.runId}\tstarted ${run.startedAt?.toISOString() ?? "?"}\t${run.objects} object(s)\t${sizeText(run.bytes)}\t${state}`,
      );
    }
  }
  return lines.join("\n");
}

function cleanupText(outcome: CleanupOutcome): string {
  const verb = outcome.dryRun ? "would delete" : "deleted";
  const lines = [
    `${outcome.table}: ${verb} ${outcome.runs.length} run(s), ${outcome.objects} object(s), ${sizeText(outcome.bytes)}${outcome.keptNewerThanWatermark > 0 ? `; kept ${outcome.keptNewerThanWatermark} matching run(s) (${outcome.watermarkBound})` : ""}`,
  ];
  if (outcome.unloadedRuns.length > 0 && !outcome.refusal) {
    lines.push(
      `${outcome.table}: ${outcome.dryRun ? "would lose" : "lost"} ${outcome.unloadedRows} row(s) in ${outcome.unloadedRuns.length} run(s) the warehouse ${outcome.ledgerChecked ? "had not loaded" : "is not known to have loaded (no --target)"} (--force)`,
    );
  }
  if (outcome.dryRun) {
    for (const key of [...outcome.keys.runManifests, ...outcome.keys.rest]) lines.push(`  ${key}`);
  }
  return lines.join("\n");
}
