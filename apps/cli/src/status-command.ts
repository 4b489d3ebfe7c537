import { type MysqlProbe, openMysqlProbe } from "@sluice/connectors";
import { formatTableRef, type ObjectStore, type SluiceError } from "@sluice/core";
import { openLoader, type WarehouseLoader } from "@sluice/redshift-loader";
import { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import { resolveConnections } from "./connection-settings.js";
import { exitCodeFor } from "./exit-codes.js";
import type { PlannedTable } from "./pipeline-run-plan.js";
import { settleTableCommand } from "./pipeline-table-flags.js";
import { failWith } from "./report-failure.js";
import { addTunnelOptions, reachSource } from "./source-tunnel.js";
import { statusText } from "./status-text.js";
import type { SyncFlags } from "./sync-flags.js";
import { readTableStatus, type TableStatus } from "./table-status.js";
import { addTargetTunnelOptions, reachTarget } from "./target-tunnel.js";

type StatusFlags = SyncFlags & { table: string[] };

const collect = (value: string, previous: string[]) => [...previous, value];

/** `sluice status -p P [-t T] [--json]`: where every table stands (docs/operations.md). */
export function statusCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return addTargetTunnelOptions(
    addTunnelOptions(
      new Command("status")
        .description(
          "where each table stands: position, last run, rows waiting in MySQL, staged runs not loaded, lease holder",
        )
        .option("-p, --pipeline <name-or-path>", "the tables of a pipeline file, with its connections")
        .option(
          "-t, --table <schema.table>",
          "table (repeatable; with -p a name or glob from the file)",
          collect,
          [],
        )
        .option("--source <url>", "MySQL, to estimate the rows waiting (default: $SLUICE_SOURCE_URL, if set)")
        .option("--lake <url>", "s3://bucket/prefix or file:///path (default: $SLUICE_LAKE_URL)")
        .option(
          "--target <url>",
          "warehouse whose ledger says which runs are loaded (default: $SLUICE_TARGET_URL, if set)",
        )
        .option("--target-schema <name>", "warehouse schema (default: the source schema name)")
        .option("--target-name <name>", "warehouse table name (default: the source table name)"),
    ),
  )
    .option("--json", "print one JSON document")
    .action(async (given: StatusFlags, self: Command) => {
      const code = await runStatus(given, self, io);
      if (code !== 0) setExitCode(code);
    });
}

interface OpenedStatusConnections {
  readonly lake: ObjectStore;
  readonly probe: MysqlProbe | SluiceError | undefined;
  readonly loader: WarehouseLoader | SluiceError | undefined;
  close(): Promise<void>;
}

async function runStatus(given: StatusFlags, self: Command, io: CliIo): Promise<number> {
  let exitCode = 0;
  const fail = failWith(io, (code) => {
    exitCode = code;
  });
  const settled = await settleTableCommand(given, self, io);
  if (settled.isErr()) {
    fail(settled.error);
    return exitCode;
  }
  const { flags, env, tables } = settled.value;
  if (tables.length === 0) {
    fail({
      kind: "config",
      retryable: false,
      message: "status needs -p <pipeline> or -t schema.table (repeatable)",
    });
    return exitCode;
  }
  const opened = await openStatusConnections(flags, env, tables);
  if ("kind" in opened) {
    fail(opened);
    return exitCode;
  }
  const statuses: TableStatus[] = [];
  try {
    const now = new Date();
    for (const planned of tables) {
      statuses.push(
        await readTableStatus(
          { lake: opened.lake, probe: opened.probe, loader: opened.loader, now },
          planned.table,
        ),
      );
    }
  } finally {
    await opened.close();
  }
  const pipeline = settled.value.pipeline;
  if (flags.json) {
    // Error objects stay out (their causes are driver objects); `problems` says it, redacted.
    io.stdout(
      `${JSON.stringify({ pipeline, checkedAt: new Date().toISOString(), tables: statuses.map(({ error: _error, ...shown }) => shown) }, null, 2)}\n`,
    );
  } else {
    io.stdout(`${statusText(statuses, pipeline)}\n`);
  }
  // The picture is printed whatever failed; the exit code says whether it is complete.
  const first = statuses.find((status) => status.error)?.error;
  return first ? exitCodeFor(first.kind, first.retryable) : 0;
}

/**
 * The lake (required: it holds the state), and the source and target when configured:
 * each opened once for every table. A source or target that cannot be reached is kept
 * as its error, shown per table, so the lake's part of the picture still prints.
 */
async function openStatusConnections(
  flags: SyncFlags,
  env: CliIo["env"],
  tables: readonly PlannedTable[],
): Promise<OpenedStatusConnections | SluiceError> {
  const withSource = Boolean(flags.source ?? env.SLUICE_SOURCE_URL) && !flags.redshiftOnly;
  const withTarget = Boolean(flags.target ?? env.SLUICE_TARGET_URL) && !flags.backupOnly;
  const connections = resolveConnections(flags, env, { source: withSource, target: withTarget });
  if (connections.isErr()) return connections.error;
  const { lake, warehouse } = connections.value;
  const closers: (() => Promise<void>)[] = [async () => lake.close?.()];
  let probe: MysqlProbe | SluiceError | undefined;
  if (connections.value.source) {
    const reached = await reachSource(flags, env, connections.value.source);
    if (reached.isErr()) probe = reached.error;
    else {
      closers.unshift(() => reached.value.close());
      const source = reached.value.source;
      if (source) {
        const opened = await openMysqlProbe(source);
        if (opened.isErr()) probe = opened.error;
        else {
          probe = opened.value;
          closers.unshift(() => opened.value.close());
        }
      }
    }
  }
  let loader: WarehouseLoader | SluiceError | undefined;
  if (warehouse) {
    const reached = await reachTarget(flags, env, warehouse.connection);
    if (reached.isErr()) loader = reached.error;
    else if (reached.value.connection) {
      closers.unshift(() => reached.value.close());
      const opened = await openLoader({
        connection: reached.value.connection,
        lake,
        ...(warehouse.targetSchema ? { targetSchema: warehouse.targetSchema } : {}),
        tables: Object.fromEntries(
          tables.map((planned) => [
            formatTableRef(planned.table),
            {
              ...(planned.flags.targetName ? { targetName: planned.flags.targetName } : {}),
              ...(planned.flags.targetSchema ? { targetSchema: planned.flags.targetSchema } : {}),
            },
          ]),
        ),
      });
      loader = opened.isOk() ? opened.value : opened.error;
      if (opened.isOk()) closers.unshift(() => opened.value.close());
    }
  }
  return {
    lake,
    probe,
    loader,
    close: async () => {
      for (const close of closers) await close().catch(() => {});
    },
  };
}
