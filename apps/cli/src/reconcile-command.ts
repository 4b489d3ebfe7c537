import type { SluiceError } from "@sluice/core";
import { createJsonLogger, silentLogger, type TableRef } from "@sluice/core";
import type { ReconcileReport } from "@sluice/pipeline";
import { reconcileTable } from "@sluice/pipeline";
import { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import { openedTarget, resolveConnections } from "./connection-settings.js";
import { oneTable, settleTableCommand } from "./pipeline-table-flags.js";
import {
  deleteModeOption,
  maxDeletesOption,
  type ReconcileFlags,
  reconcileSettings,
} from "./reconcile-options.js";
import { failWith } from "./report-failure.js";
import { addTunnelOptions, reachSource, type TunnelFlags } from "./source-tunnel.js";
import { withTableSource } from "./table-source.js";

interface ReconcileCommandFlags extends ReconcileFlags, TunnelFlags {
  table: string;
  pipeline?: string;
  source?: string;
  lake?: string;
  target?: string;
  targetSchema?: string;
  targetName?: string;
  json?: boolean;
  verbose?: boolean;
}

/** `sluice reconcile -t T`: find rows deleted in MySQL and apply them to the target now. */
export function reconcileCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return addTunnelOptions(
    new Command("reconcile")
      .description(
        "find rows deleted in MySQL by primary-key reconciliation and delete (or flag) them in the warehouse",
      )
      .requiredOption("-t, --table <schema.table>", "source table, schema-qualified")
      .option(
        "-p, --pipeline <name-or-path>",
        "pipeline file whose settings (connections, target_name, delete mode, ...) the table takes",
      )
      .option("--source <url>", "MySQL URL (default: $SLUICE_SOURCE_URL)"),
  )
    .option("--lake <url>", "s3://bucket/prefix or file:///path (default: $SLUICE_LAKE_URL)")
    .option("--target <url>", "postgres://... or redshift://... (default: $SLUICE_TARGET_URL)")
    .option("--target-schema <name>", "warehouse schema (default: the source schema name, lower case)")
    .option("--target-name <name>", "warehouse table name (default: the source table name, lower case)")
    .addOption(deleteModeOption())
    .addOption(maxDeletesOption())
    .option("--json", "print the reconciliation report as JSON on stdout")
    .option("-v, --verbose", "log progress as JSON lines on stderr")
    .action(async (given: ReconcileCommandFlags, self: Command) => {
      const settled = await settleTableCommand(given, self, io);
      if (settled.isErr()) return failWith(io, setExitCode)(settled.error);
      const table = oneTable(settled.value);
      if (table.isErr()) return failWith(io, setExitCode)(table.error);
      const outcome = await runReconcile(settled.value.flags, table.value, { ...io, env: settled.value.env });
      if (outcome) failWith(io, setExitCode)(outcome);
    });
}

async function runReconcile(
  flags: ReconcileCommandFlags,
  table: TableRef,
  io: CliIo,
): Promise<SluiceError | null> {
  const settings = reconcileSettings(flags);
  const connections = resolveConnections(flags, io.env, { source: true, target: true });
  if (connections.isErr()) return connections.error;
  const warehouse = connections.value.warehouse;
  const logger = flags.verbose
    ? createJsonLogger({ level: "info", write: (line) => io.stderr(`${line}\n`) })
    : silentLogger;
  // Opens the bastion tunnel when one is configured; closed whatever the outcome.
  const opened = await reachSource(flags, io.env, connections.value.source);
  if (opened.isErr()) return opened.error;
  const reached = opened.value;
  const outcome = await withTableSource(reached.source, (source) =>
    reconcileTable({
      table,
      mode: "sync",
      lake: connections.value.lake,
      logger,
      ...(source ? { source } : {}),
      ...(warehouse
        ? {
            warehouse: openedTarget(
              { ...warehouse, ...(flags.targetName ? { targetName: flags.targetName } : {}) },
              connections.value.lake,
            ),
          }
        : {}),
      ...settings,
    }),
  );
  await reached.close();
  connections.value.lake.close?.();
  if (outcome.isErr()) return outcome.error;
  const { report, notes } = outcome.value;
  io.stdout(
    flags.json
      ? `${JSON.stringify({ table: flags.table, reconcile: report, notes }, null, 2)}\n`
      : `${[...notes.map((note) => `${flags.table}: ${note}`), reconcileLine(flags.table, report)].join("\n")}\n`,
  );
  return null;
}

/** One line of figures: what was compared, how many statements, what changed. */
export function reconcileLine(table: string, report: ReconcileReport): string {
  if (report.skipped) return `${table}: reconciliation skipped: ${report.skipped}`;
  return `${table}: reconciliation (${report.mode}) of ${report.target}: ${report.rangesCompared} range(s) compared, ${report.rangesDrilled} drilled, ${report.leafRanges} compared key by key (${report.keysListed} keys), ${report.queries.source + report.queries.target} queries (${report.queries.source} MySQL, ${report.queries.target} warehouse); ${report.keysDeleted} deleted, ${report.keysMissing} missing in the target, ${report.keysPending} not extracted yet; ${(report.durationMs / 1000).toFixed(1)}s`;
}
