import { formatTableRef } from "@sluice/core";
import {
  importSeedWatermark,
  listStagedRuns,
  parseSeedWatermark,
  resetWatermark,
  setCumulativeCount,
  setWatermark,
  validateCounts,
} from "@sluice/pipeline";
import { openLoader } from "@sluice/redshift-loader";
import { createWatermarkStore } from "@sluice/watermark-store";
import { Command, Option } from "commander";
import type { CliIo } from "./cli-io.js";
import { openedTarget, resolveConnections } from "./connection-settings.js";
import { signedWholeNumber } from "./flag-parsers.js";
import { oneTable, settleTableCommand } from "./pipeline-table-flags.js";
import { failWith } from "./report-failure.js";
import { readSeedDocument } from "./seed-document.js";
import { addTunnelOptions, reachSource, type TunnelFlags } from "./source-tunnel.js";
import { withTableSource } from "./table-source.js";
import {
  countValidationText,
  extractPositionText,
  positionText,
  stagedRunsText,
  watermarkText,
} from "./watermark-text.js";

interface TableFlags extends TunnelFlags {
  table: string;
  pipeline?: string;
  lake?: string;
  source?: string;
  target?: string;
  targetSchema?: string;
  targetName?: string;
  json?: boolean;
}

const lakeHelp = "s3://bucket/prefix or file:///path (default: $SLUICE_LAKE_URL)";
const pipelineHelp = "pipeline file whose settings (lake, target, target_name, ...) the table takes";

/**
 * The command's flags with the pipeline file's settings laid under them (`-p`), and
 * the one table it is about; the error when either cannot be settled.
 */
async function settleOne<F extends TableFlags>(flags: F, command: Command, io: CliIo) {
  const settled = await settleTableCommand(flags, command, io);
  if (settled.isErr()) return settled.error;
  const table = oneTable(settled.value);
  if (table.isErr()) return table.error;
  return { flags: settled.value.flags, env: settled.value.env, table: table.value };
}

/** `sluice watermark get|set|reset|force-reset|list`. */
export function watermarkCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const command = new Command("watermark").description(
    "inspect and change per-table watermarks stored in the lake",
  );
  const fail = failWith(io, setExitCode);
  command
    .command("get")
    .description("show one table's watermark (session and cumulative counts apart)")
    .requiredOption("-t, --table <schema.table>", "source table")
    .option("-p, --pipeline <name-or-path>", pipelineHelp)
    .option("--lake <url>", lakeHelp)
    .option("--show-files", "list the staged runs and their files (and, with a target, which are loaded)")
    .option("--target <url>", "warehouse to ask which runs are loaded (default: $SLUICE_TARGET_URL, if set)")
    .option("--target-schema <name>", "warehouse schema (default: the source schema name)")
    .option("--target-name <name>", "warehouse table name (default: the source table name)")
    .option("--json", "print JSON")
    .action(async (given: TableFlags & { showFiles?: boolean }, self: Command) => {
      const settled = await settleOne(given, self, io);
      if ("kind" in settled) return fail(settled);
      const { flags, env } = settled;
      const table = { value: settled.table };
      const withTarget = Boolean(flags.showFiles && (flags.target ?? env.SLUICE_TARGET_URL));
      const connections = resolveConnections(flags, env, { source: false, target: withTarget });
      if (connections.isErr()) return fail(connections.error);
      const { lake, warehouse } = connections.value;
      const doc = await createWatermarkStore(lake).read(table.value);
      if (doc.isErr()) return fail(doc.error);
      let runs: Awaited<ReturnType<typeof listStagedRuns>> | null = null;
      if (flags.showFiles) {
        let ledger: Parameters<typeof listStagedRuns>[2];
        if (warehouse) {
          const loader = await openLoader({
            connection: warehouse.connection,
            lake,
            ...(warehouse.targetSchema ? { targetSchema: warehouse.targetSchema } : {}),
            tables: { [flags.table]: flags.targetName ? { targetName: flags.targetName } : {} },
          });
          if (loader.isErr()) return fail(loader.error);
          const loaded = await loader.value.loadedRuns(flags.table);
          await loader.value.close();
          if (loaded.isErr()) return fail(loaded.error);
          ledger = loaded.value;
        }
        runs = await listStagedRuns(lake, table.value, ledger);
        if (runs.isErr()) return fail(runs.error);
      }
      const stagedRuns = runs?.isOk() ? runs.value : null;
      if (flags.json) {
        io.stdout(
          // The document itself; with --show-files, the document and the runs side by side.
          `${JSON.stringify(stagedRuns ? { watermark: doc.value, stagedRuns } : doc.value, null, 2)}\n`,
        );
        return;
      }
      if (!doc.value)
        io.stdout(`${flags.table}: no watermark yet; the next sync starts from the beginning\n`);
      else io.stdout(`${watermarkText(doc.value)}\n`);
      if (stagedRuns) io.stdout(`${stagedRunsText(stagedRuns)}\n`);
    });
  command
    .command("set")
    .description("move the extraction cursor by hand (refused while a run holds the table)")
    .requiredOption("-t, --table <schema.table>", "source table")
    .option("-p, --pipeline <name-or-path>", pipelineHelp)
    .option(
      "--timestamp <value>",
      "cursor value, e.g. '2024-05-01 12:00:00'; the next run reads rows after it",
    )
    .option("--id <key>", "key of the last row to count as extracted (comma-separated for a composite key)")
    .option("--strategy <name>", "CDC strategy, only for a table never extracted (default hybrid)")
    .option("--lake <url>", lakeHelp)
    .option("--json", "print the new document as JSON")
    .action(
      async (given: TableFlags & { timestamp?: string; id?: string; strategy?: string }, self: Command) => {
        const settled = await settleOne(given, self, io);
        if ("kind" in settled) return fail(settled);
        const { flags, env } = settled;
        const table = { value: settled.table };
        const connections = resolveConnections(flags, env, { source: false, target: false });
        if (connections.isErr()) return fail(connections.error);
        const doc = await setWatermark(
          { table: table.value, lake: connections.value.lake },
          {
            ...(flags.timestamp !== undefined ? { timestamp: flags.timestamp } : {}),
            ...(flags.id !== undefined
              ? { keyValues: flags.id.split(",").map((value) => value.trim()) }
              : {}),
            ...(flags.strategy ? { strategy: flags.strategy } : {}),
          },
        );
        if (doc.isErr()) return fail(doc.error);
        if (flags.json) return void io.stdout(`${JSON.stringify(doc.value, null, 2)}\n`);
        io.stdout(
          `${flags.table}: watermark set to ${positionText(doc.value.extract?.position)} (was ${positionText(doc.value.lastOverride?.previousPosition)}); the next sync reads the rows after it\n`,
        );
      },
    );
  for (const force of [false, true]) {
    command
      .command(force ? "force-reset" : "reset")
      .description(
        force
          ? "reset even while a run holds the table: breaks its lease (the run stops at its next commit)"
          : "forget the table's state so the next sync starts from the beginning; keeps a backup copy",
      )
      .requiredOption("-t, --table <schema.table>", "source table")
      .option("-p, --pipeline <name-or-path>", pipelineHelp)
      .option("--lake <url>", lakeHelp)
      .option("--json", "print the outcome as JSON")
      .action(async (given: TableFlags, self: Command) => {
        const settled = await settleOne(given, self, io);
        if ("kind" in settled) return fail(settled);
        const { flags, env } = settled;
        const table = { value: settled.table };
        const connections = resolveConnections(flags, env, { source: false, target: false });
        if (connections.isErr()) return fail(connections.error);
        const outcome = await resetWatermark({ table: table.value, lake: connections.value.lake }, { force });
        if (outcome.isErr()) return fail(outcome.error);
        const { brokenLease, backupKey, notes } = outcome.value;
        if (brokenLease) {
          io.stderr(
            `sluice: warning: broke the lease of run ${brokenLease.holder.runId} on ${brokenLease.holder.host} (pid ${brokenLease.holder.pid}), held since ${brokenLease.acquiredAt}; if that run is still going it stops at its next commit\n`,
          );
        }
        if (flags.json) return void io.stdout(`${JSON.stringify(outcome.value, null, 2)}\n`);
        for (const note of notes) io.stdout(`${flags.table}: ${note}\n`);
        io.stdout(
          `${flags.table}: watermark reset; the next sync starts from the beginning${backupKey ? `; previous document kept at ${connections.value.lake.uriFor(backupKey)}` : ""}\n`,
        );
      });
  }
  command
    .command("import-seed")
    .description(
      "take over the position and counts of an S3 to Redshift Backup System watermark (legacy or v2.0 JSON)",
    )
    .requiredOption("-t, --table <schema.table>", "source table")
    .option("-p, --pipeline <name-or-path>", pipelineHelp)
    .requiredOption("--from <path|s3://bucket/key>", "the seed's watermark JSON for this table")
    .option(
      "--strategy <name>",
      "CDC strategy to continue with (default hybrid, or id when the seed kept no timestamp)",
    )
    .option("--force", "replace an existing sluice watermark (its position stays in the history)")
    .option("--lake <url>", lakeHelp)
    .option("--json", "print the new document as JSON")
    .action(
      async (given: TableFlags & { from: string; strategy?: string; force?: boolean }, self: Command) => {
        const settled = await settleOne(given, self, io);
        if ("kind" in settled) return fail(settled);
        const { flags, env } = settled;
        const table = { value: settled.table };
        const connections = resolveConnections(flags, env, { source: false, target: false });
        if (connections.isErr()) return fail(connections.error);
        const text = await readSeedDocument(flags.from, env);
        if (text.isErr()) return fail(text.error);
        const seed = parseSeedWatermark(text.value, flags.from);
        if (seed.isErr()) return fail(seed.error);
        const outcome = await importSeedWatermark(
          { table: table.value, lake: connections.value.lake },
          seed.value,
          {
            force: flags.force ?? false,
            ...(flags.strategy ? { strategy: flags.strategy } : {}),
          },
        );
        if (outcome.isErr()) return fail(outcome.error);
        if (flags.json) return void io.stdout(`${JSON.stringify(outcome.value.document, null, 2)}\n`);
        for (const note of outcome.value.notes) io.stdout(`${flags.table}: ${note}\n`);
        io.stdout(`${watermarkText(outcome.value.document)}\n`);
      },
    );
  command
    .command("list")
    .description("list every table with a watermark")
    .option("-p, --pipeline <name-or-path>", "only the tables of this pipeline file (and its lake)")
    .option("-t, --table <name-or-glob>", "with -p: only these tables of the file (repeatable)", collect, [])
    .option("--lake <url>", lakeHelp)
    .option("--json", "print JSON")
    .action(
      async (
        given: { lake?: string; json?: boolean; pipeline?: string; table?: string[] },
        self: Command,
      ) => {
        const settled = await settleTableCommand(given.pipeline ? given : { ...given, table: [] }, self, io);
        if (settled.isErr()) return fail(settled.error);
        const { flags, env } = settled.value;
        const connections = resolveConnections(flags, env, { source: false, target: false });
        if (connections.isErr()) return fail(connections.error);
        const all = await createWatermarkStore(connections.value.lake).list();
        if (all.isErr()) return fail(all.error);
        const wanted = new Set(
          settled.value.tables.map((planned) => formatTableRef(planned.table).toLowerCase()),
        );
        const docs = flags.pipeline
          ? all.value.filter((doc) => wanted.has(doc.table.toLowerCase()))
          : all.value;
        if (flags.json) return void io.stdout(`${JSON.stringify(docs, null, 2)}\n`);
        for (const doc of docs) {
          io.stdout(
            `${doc.table}\textracted up to ${extractPositionText(doc.extract)}\tlast run ${doc.extract?.lastRunId || "-"} (${doc.extract?.rowsLastRun ?? 0} rows; cumulative ${doc.extract?.rowsTotal ?? 0})\tloaded ${doc.load?.lastRunId ?? "-"} (${doc.load?.rowsLastRun ?? 0} rows; cumulative ${doc.load?.rowsTotal ?? 0})\n`,
          );
        }
      },
    );
  return command;
}

/** `sluice watermark-count set-count|validate-counts`. */
export function watermarkCountCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const command = new Command("watermark-count").description(
    "correct and check the row counts kept in the watermark",
  );
  const fail = failWith(io, setExitCode);
  command
    .command("set-count")
    .description("correct a cumulative count by hand (the session count of the last run is left alone)")
    .requiredOption("-t, --table <schema.table>", "source table")
    .option("-p, --pipeline <name-or-path>", pipelineHelp)
    .requiredOption(
      "--count <rows>",
      "the new total (absolute) or what to add (additive; negative subtracts)",
      signedWholeNumber("--count"),
    )
    .addOption(
      new Option("--mode <mode>", "absolute or additive")
        .choices(["absolute", "additive"])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--stage <stage>", "which cumulative count").choices(["extract", "load"]).default("extract"),
    )
    .option("--lake <url>", lakeHelp)
    .option("--json", "print the new document as JSON")
    .action(
      async (
        given: TableFlags & { count: number; mode: "absolute" | "additive"; stage: "extract" | "load" },
        self: Command,
      ) => {
        const settled = await settleOne(given, self, io);
        if ("kind" in settled) return fail(settled);
        const { flags, env } = settled;
        const table = { value: settled.table };
        const connections = resolveConnections(flags, env, { source: false, target: false });
        if (connections.isErr()) return fail(connections.error);
        const doc = await setCumulativeCount(
          { table: table.value, lake: connections.value.lake },
          { stage: flags.stage, mode: flags.mode, count: flags.count },
        );
        if (doc.isErr()) return fail(doc.error);
        if (flags.json) return void io.stdout(`${JSON.stringify(doc.value, null, 2)}\n`);
        const change = doc.value.lastOverride?.count;
        io.stdout(
          `${flags.table}: cumulative ${flags.stage} count ${change?.before} -> ${change?.after} (last run's count unchanged)\n`,
        );
      },
    );
  addTunnelOptions(
    command
      .command("validate-counts")
      .description(
        "compare the watermark's counts with the target's and the source's, and explain the difference",
      )
      .requiredOption("-t, --table <schema.table>", "source table")
      .option("-p, --pipeline <name-or-path>", pipelineHelp)
      .option("--source <url>", "MySQL URL (default: $SLUICE_SOURCE_URL)"),
  )
    .option("--lake <url>", lakeHelp)
    .option("--target <url>", "postgres://... or redshift://... (default: $SLUICE_TARGET_URL)")
    .option("--target-schema <name>", "warehouse schema (default: the source schema name)")
    .option("--target-name <name>", "warehouse table name (default: the source table name)")
    .option("--json", "print JSON")
    .action(async (given: TableFlags, self: Command) => {
      const settled = await settleOne(given, self, io);
      if ("kind" in settled) return fail(settled);
      const { flags, env } = settled;
      const table = { value: settled.table };
      const connections = resolveConnections(flags, env, { source: true, target: true });
      if (connections.isErr()) return fail(connections.error);
      const { lake, warehouse } = connections.value;
      // Opens the bastion tunnel when one is configured; closed whatever the outcome.
      const opened = await reachSource(flags, env, connections.value.source);
      if (opened.isErr()) return fail(opened.error);
      const reached = opened.value;
      const validation = await withTableSource(reached.source, (source) =>
        validateCounts({
          table: table.value,
          mode: "sync",
          lake,
          ...(source ? { source } : {}),
          ...(warehouse
            ? {
                warehouse: openedTarget(
                  { ...warehouse, ...(flags.targetName ? { targetName: flags.targetName } : {}) },
                  lake,
                ),
              }
            : {}),
        }),
      );
      await reached.close();
      lake.close?.();
      if (validation.isErr()) return fail(validation.error);
      io.stdout(
        flags.json
          ? `${JSON.stringify(validation.value, null, 2)}\n`
          : `${countValidationText(validation.value)}\n`,
      );
      // A difference is reported, explained, and makes the command fail for scripts.
      if (!validation.value.consistent) setExitCode(1);
    });
  return command;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
