import type { SluiceError } from "@sluice/core";
import { defaultLedgerSchema } from "@sluice/redshift-loader";
import { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import { sluiceVersion } from "./cli-version.js";
import {
  type ConnectionCheck,
  checkLake,
  checkSource,
  checkTarget,
  failedCheck,
} from "./connection-checks.js";
import { resolveConnections } from "./connection-settings.js";
import type { PlannedTable } from "./pipeline-run-plan.js";
import { settleTableCommand } from "./pipeline-table-flags.js";
import { failWith } from "./report-failure.js";
import { addTunnelOptions, reachSource } from "./source-tunnel.js";
import type { SyncFlags } from "./sync-flags.js";
import { addTargetTunnelOptions, reachTarget } from "./target-tunnel.js";

type InfoFlags = SyncFlags & { table: string[] };

const collect = (value: string, previous: string[]) => [...previous, value];

/** `sluice info [-p P]`: versions, and a check of every connection a run would use. */
export function infoCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  return addTargetTunnelOptions(
    addTunnelOptions(
      new Command("info")
        .description(
          "versions, and a check of each connection (source, tunnels, lake, target): latency, server version, time zone, privileges; each failure with its fix",
        )
        .option("-p, --pipeline <name-or-path>", "check the connections and tables of a pipeline file")
        .option("-t, --table <schema.table>", "also check the rights on this table (repeatable)", collect, [])
        .option("--source <url>", "MySQL URL (default: $SLUICE_SOURCE_URL)")
        .option("--lake <url>", "s3://bucket/prefix or file:///path (default: $SLUICE_LAKE_URL)")
        .option("--target <url>", "postgres://... or redshift://... (default: $SLUICE_TARGET_URL)")
        .option("--target-schema <name>", "warehouse schema (default: the source schema name)")
        .option("--iam-role <arn>", "Redshift: IAM role COPY uses to read the lake"),
    ),
  )
    .option("--json", "print one JSON document")
    .action(async (given: InfoFlags, self: Command) => {
      const code = await runInfo(given, self, io);
      if (code !== 0) setExitCode(code);
    });
}

async function runInfo(given: InfoFlags, self: Command, io: CliIo): Promise<number> {
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
  const checks = await runChecks(flags, env, tables);
  if ("kind" in checks) {
    fail(checks);
    return exitCode;
  }
  const document = {
    sluice: sluiceVersion(),
    node: process.version,
    pipeline: settled.value.pipeline,
    checks,
  };
  if (flags.json) io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  else io.stdout(`${infoText(document)}\n`);
  const problem = checks.flatMap((check) => check.problems)[0];
  return problem ? problem.exitCode || 1 : 0;
}

async function runChecks(
  flags: SyncFlags,
  env: CliIo["env"],
  tables: readonly PlannedTable[],
): Promise<ConnectionCheck[] | SluiceError> {
  const hasSource = Boolean(flags.source ?? env.SLUICE_SOURCE_URL);
  const hasTarget = Boolean(flags.target ?? env.SLUICE_TARGET_URL);
  const connections = resolveConnections(flags, env, { source: hasSource, target: hasTarget });
  if (connections.isErr()) return connections.error;
  const checks: ConnectionCheck[] = [];
  const { lake, source, warehouse } = connections.value;
  const lakeWhere = flags.lake ?? env.SLUICE_LAKE_URL ?? "";

  if (source) {
    const bastion = flags.sshBastion ?? env.SLUICE_SSH_BASTION;
    const started = performance.now();
    const reached = await reachSource(flags, env, source);
    if (bastion) {
      checks.push(
        reached.isErr()
          ? failedCheck(
              "source tunnel",
              bastion,
              reached.error,
              "check the bastion URL, key (--ssh-key) and host key pin (--ssh-host-key)",
            )
          : tunnelCheck("source tunnel", bastion, performance.now() - started),
      );
    }
    if (reached.isOk() && reached.value.source) {
      try {
        checks.push(
          await checkSource(
            reached.value.source,
            source,
            tables.map((planned) => planned.table),
          ),
        );
      } finally {
        await reached.value.close();
      }
    } else if (reached.isErr()) {
      checks.push({
        ...failedCheck("source", source.host, reached.error, "fix the source tunnel first"),
        status: "skipped",
      });
    }
  }

  checks.push(await checkLake(lake, lakeWhere));
  lake.close?.();

  if (warehouse) {
    const bastion = flags.targetSshBastion ?? env.SLUICE_TARGET_SSH_BASTION;
    const started = performance.now();
    const reached = await reachTarget(flags, env, warehouse.connection);
    if (bastion) {
      checks.push(
        reached.isErr()
          ? failedCheck(
              "target tunnel",
              bastion,
              reached.error,
              "check the bastion URL, key (--target-ssh-key) and host key pin (--target-ssh-host-key)",
            )
          : tunnelCheck("target tunnel", bastion, performance.now() - started),
      );
    }
    if (reached.isOk() && reached.value.connection) {
      try {
        checks.push(
          await checkTarget(
            reached.value.connection,
            warehouse.connection,
            tables.map((planned) => ({
              table: planned.table,
              ...(planned.flags.targetSchema ? { targetSchema: planned.flags.targetSchema } : {}),
              ...(planned.flags.targetName ? { targetName: planned.flags.targetName } : {}),
            })),
            {
              ledgerSchema: defaultLedgerSchema,
              ...(warehouse.targetSchema ? { targetSchema: warehouse.targetSchema } : {}),
              ...(warehouse.iamRole ? { iamRole: warehouse.iamRole } : {}),
            },
          ),
        );
      } finally {
        await reached.value.close();
      }
    }
  }
  return checks;
}

function tunnelCheck(name: "source tunnel" | "target tunnel", where: string, ms: number): ConnectionCheck {
  return {
    name,
    status: "ok",
    where,
    latencyMs: Math.round(ms),
    serverVersion: null,
    timeZone: null,
    details: {},
    problems: [],
    warnings: [],
  };
}

function infoText(document: {
  sluice: string;
  node: string;
  pipeline: string | null;
  checks: ConnectionCheck[];
}): string {
  const lines = [
    `sluice ${document.sluice}, Node ${document.node}${document.pipeline ? `, pipeline ${document.pipeline}` : ""}`,
  ];
  const width = Math.max(...document.checks.map((check) => check.name.length), 6);
  for (const check of document.checks) {
    const facts = [
      check.where,
      // PostgreSQL's version() runs on ("... on x86_64-pc-linux-gnu, compiled by ..."): its head says it.
      check.serverVersion?.split(/ on |, /)[0] ?? null,
      check.latencyMs !== null ? `${check.latencyMs} ms` : null,
      check.timeZone !== null ? `time zone ${check.timeZone}` : null,
    ].filter((fact): fact is string => fact !== null && fact !== "");
    lines.push(`${check.name.padEnd(width)}  ${check.status.toUpperCase().padEnd(7)} ${facts.join(" | ")}`);
    for (const problem of check.problems)
      lines.push(`${"".padEnd(width)}  - ${problem.message}\n${"".padEnd(width)}    fix: ${problem.fix}`);
    for (const warning of check.warnings)
      lines.push(`${"".padEnd(width)}  ! ${warning.message}\n${"".padEnd(width)}    fix: ${warning.fix}`);
  }
  const failed = document.checks.filter((check) => check.status === "fail").length;
  lines.push(failed === 0 ? "all checks passed" : `${failed} check(s) failed`);
  return lines.join("\n");
}
