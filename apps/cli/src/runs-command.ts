import { parseTableRef, type TableRef } from "@sluice/core";
import { dropStagedRun, listRuns, type RunDropOutcome, type StagedRunRow } from "@sluice/pipeline";
import { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import { openedTarget, resolveConnections } from "./connection-settings.js";
import { positiveWholeNumber } from "./flag-parsers.js";
import { failWith } from "./report-failure.js";

interface RunsFlags {
  table?: string;
  lake?: string;
  target?: string;
  targetSchema?: string;
  targetName?: string;
  /** Minutes. */
  leaseTimeout?: number;
  cascade?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

function withTableOptions(command: Command): Command {
  return command
    .requiredOption("-t, --table <schema.table>", "the source table")
    .option("--lake <url>", "s3://bucket/prefix or file:///path (default: $SLUICE_LAKE_URL)")
    .option(
      "--target <url>",
      "warehouse whose load ledger says which runs are loaded (default: $SLUICE_TARGET_URL)",
    )
    .option("--target-schema <name>", "warehouse schema (default: the source schema name)")
    .option("--target-name <name>", "warehouse table name (default: the source table name)")
    .option("--json", "print JSON");
}

function loadedText(row: StagedRunRow): string {
  if (row.loaded === true) return "loaded";
  if (row.loaded === false) return "not loaded";
  return "load state unknown (no --target)";
}

function listText(table: string, rows: readonly StagedRunRow[]): string {
  if (rows.length === 0) return `${table}: no staged runs`;
  return [
    `${table}: ${rows.length} staged run(s)`,
    ...rows.map(
      (row) =>
        `  ${row.runId}\t${row.createdAt}\t${row.rows} row(s)\t${row.files} file(s)\t${row.bytes} B\t${loadedText(row)}${row.watermarkRun ? "\t(watermark's last run)" : ""}`,
    ),
  ].join("\n");
}

function dropText(outcome: RunDropOutcome): string {
  const verb = outcome.dryRun ? "would withdraw" : "withdrew";
  return [
    `${outcome.table}: ${verb} ${outcome.runs.length} run(s) holding ${outcome.rows} row(s): ${outcome.runs.join(", ")}`,
    `${outcome.table}: extract position ${outcome.dryRun ? "would move" : "moved"} from ${JSON.stringify(outcome.positionBefore)} back to ${JSON.stringify(outcome.positionAfter)}; the next sync extracts those rows again (with the policy it is given)`,
    ...(outcome.dryRun ? [] : [`${outcome.table}: ${outcome.objectsDeleted} object(s) deleted`]),
    ...outcome.notes.map((note) => `${outcome.table}: ${note}`),
  ].join("\n");
}

/**
 * `sluice runs list|drop`: see the staged runs of a table, and withdraw an unloaded one
 * (with the runs after it) so its rows are extracted again — the way out of a run the
 * warehouse can never load (packages/pipeline/src/staged-run-withdrawal.ts).
 */
export function runsCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const command = new Command("runs").description(
    "list a table's staged runs; withdraw an unloaded one and rewind the extract position",
  );
  const fail = failWith(io, setExitCode);

  const open = (flags: RunsFlags) => {
    const table = parseTableRef(flags.table ?? "");
    if (table.isErr()) return table;
    const withTarget = Boolean(flags.target ?? io.env.SLUICE_TARGET_URL);
    return resolveConnections(flags, io.env, { source: false, target: withTarget }).map((resolved) => ({
      table: table.value as TableRef,
      lake: resolved.lake,
      ...(resolved.warehouse
        ? {
            warehouse: openedTarget(
              { ...resolved.warehouse, ...(flags.targetName ? { targetName: flags.targetName } : {}) },
              resolved.lake,
            ),
          }
        : {}),
    }));
  };

  withTableOptions(
    command.command("list").description("staged runs, oldest first: rows, files, bytes, loaded or not"),
  ).action(async (flags: RunsFlags) => {
    const opened = open(flags);
    if (opened.isErr()) return fail(opened.error);
    const rows = await listRuns(opened.value);
    opened.value.lake.close?.();
    if (rows.isErr()) return fail(rows.error);
    io.stdout(
      flags.json
        ? `${JSON.stringify(rows.value, null, 2)}\n`
        : `${listText(flags.table ?? "", rows.value)}\n`,
    );
  });

  withTableOptions(
    command
      .command("drop")
      .argument("<run-id>", "the run to withdraw (from `sluice runs list`)")
      .description(
        "withdraw an unloaded staged run (and, with --cascade, every later one) and move the extract position back to where it started",
      ),
  )
    .option("--cascade", "also withdraw the runs staged after it (they start from its position)")
    .option("--dry-run", "say what would be withdrawn; change nothing")
    .option(
      "--lease-timeout <minutes>",
      "lease timeout in minutes, as for sync",
      positiveWholeNumber("--lease-timeout"),
      15,
    )
    .action(async (runId: string, flags: RunsFlags) => {
      const opened = open(flags);
      if (opened.isErr()) return fail(opened.error);
      const minutes = flags.leaseTimeout ?? 15;
      const outcome = await dropStagedRun({
        ...opened.value,
        runId,
        cascade: flags.cascade ?? false,
        dryRun: flags.dryRun ?? false,
        leaseTimeoutMs: minutes * 60_000,
      });
      opened.value.lake.close?.();
      if (outcome.isErr()) return fail(outcome.error);
      io.stdout(flags.json ? `${JSON.stringify(outcome.value, null, 2)}\n` : `${dropText(outcome.value)}\n`);
    });
  return command;
}
