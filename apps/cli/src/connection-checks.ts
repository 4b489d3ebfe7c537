import { randomBytes } from "node:crypto";
import { type MysqlConnectionOptions, openMysqlProbe } from "@sluice/connectors";
import {
  formatTableRef,
  type ObjectStore,
  redactSecrets,
  type SluiceError,
  type TableRef,
} from "@sluice/core";
import { checkWarehouse, resolveTargetTable, type WarehouseConnection } from "@sluice/redshift-loader";
import { exitCodeFor } from "./exit-codes.js";

/** One failed (or doubtful) part of a check, and what to do about it. */
export interface CheckProblem {
  readonly message: string;
  readonly fix: string;
  /** The exit code this problem asks for (2: fix configuration or grants; 3: retry later). */
  readonly exitCode: number;
}

/** One connection's check in `sluice info`. */
export interface ConnectionCheck {
  readonly name: "source tunnel" | "source" | "lake" | "target tunnel" | "target";
  /** `warn`: works, but a protection is off (e.g. no PROCESS privilege). */
  readonly status: "ok" | "warn" | "fail" | "skipped";
  /** What was reached (URLs with the password hidden). */
  readonly where: string;
  readonly latencyMs: number | null;
  readonly serverVersion: string | null;
  readonly timeZone: string | null;
  /** The facts checked, for `--json` (privileges per schema and table, probe steps). */
  readonly details: Readonly<Record<string, unknown>>;
  readonly problems: readonly CheckProblem[];
  readonly warnings: readonly CheckProblem[];
}

export function failedCheck(
  name: ConnectionCheck["name"],
  where: string,
  error: SluiceError,
  fix: string,
): ConnectionCheck {
  return {
    name,
    status: "fail",
    where,
    latencyMs: null,
    serverVersion: null,
    timeZone: null,
    details: {},
    problems: [
      { message: redactSecrets(error.message), fix, exitCode: exitCodeFor(error.kind, error.retryable) },
    ],
    warnings: [],
  };
}

const mysqlWhere = (source: MysqlConnectionOptions) =>
  `mysql://${source.user}@${source.host}:${source.port}/${source.database}`;

/**
 * MySQL: round trip, version, time zones, PROCESS (the open-transaction ceiling reads
 * innodb_trx with it) and SELECT on each table. `displayed` is where it really is
 * (a tunnel's loopback end says little).
 */
export async function checkSource(
  source: MysqlConnectionOptions,
  displayed: MysqlConnectionOptions,
  tables: readonly TableRef[],
): Promise<ConnectionCheck> {
  const where = mysqlWhere(displayed);
  const probe = await openMysqlProbe(source);
  if (probe.isErr()) {
    return failedCheck(
      "source",
      where,
      probe.error,
      probe.error.kind === "auth"
        ? "check the user and password of the source (--source / connections.source / SLUICE_SOURCE_URL)"
        : "check the source's host and port, that MySQL is up, and the network (or the bastion) between",
    );
  }
  try {
    const facts = await probe.value.facts(tables);
    if (facts.isErr())
      return failedCheck("source", where, facts.error, "retry; if it persists, check the server");
    const { value } = facts;
    const problems: CheckProblem[] = [];
    const warnings: CheckProblem[] = [];
    if (!value.processPrivilege) {
      warnings.push({
        message: `${displayed.user} lacks the PROCESS privilege: the extract ceiling cannot see open transactions, so a long transaction that commits late could be missed without --safety-lag-seconds`,
        fix: `GRANT PROCESS ON *.* TO '${displayed.user}'@'%'; or set --safety-lag-seconds above your longest write transaction`,
        exitCode: 0,
      });
    }
    for (const [table, readable] of Object.entries(value.tables)) {
      if (readable.select) continue;
      problems.push({
        message: `${table}: ${readable.problem}`,
        fix:
          readable.problem === "no such table"
            ? `check the table name ${table} (schema.table) in the pipeline file or -t`
            : `GRANT SELECT ON ${table} TO '${displayed.user}'@'%'`,
        exitCode: 2,
      });
    }
    return {
      name: "source",
      status: problems.length > 0 ? "fail" : warnings.length > 0 ? "warn" : "ok",
      where,
      latencyMs: value.latencyMs,
      serverVersion: value.serverVersion,
      timeZone: `${value.timeZone}${value.timeZone === "SYSTEM" ? ` (${value.systemTimeZone})` : ""}`,
      details: {
        connectMs: value.connectMs,
        processPrivilege: value.processPrivilege,
        tables: value.tables,
      },
      problems,
      warnings,
    };
  } finally {
    await probe.value.close();
  }
}

/** The lake: list, then put and delete a probe object under `_state/_probe/` (removed again). */
export async function checkLake(lake: ObjectStore, where: string): Promise<ConnectionCheck> {
  const fix =
    "check the lake URL, the bucket's existence and the credentials (AWS_* variables, profile or role): sluice needs s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject";
  const started = performance.now();
  const listed = await lake.checkAccess();
  if (listed.isErr()) return failedCheck("lake", where, listed.error, fix);
  const latencyMs = Math.round((performance.now() - started) * 10) / 10;
  const key = `_state/_probe/${randomBytes(6).toString("hex")}.txt`;
  const put = await lake.put(key, "sluice info probe; safe to delete\n", { contentType: "text/plain" });
  if (put.isErr()) return failedCheck("lake", where, put.error, fix);
  const removed = await lake.delete([key]);
  if (removed.isErr()) {
    return failedCheck("lake", where, removed.error, `${fix}; then delete ${lake.uriFor(key)} by hand`);
  }
  return {
    name: "lake",
    status: "ok",
    where,
    latencyMs,
    serverVersion: null,
    timeZone: null,
    details: { list: true, put: true, delete: true, probeKey: key },
    problems: [],
    warnings: [],
  };
}

/**
 * The warehouse: round trip, version, the session's default time zone, CREATE on each
 * schema a load writes (DDL; the database's CREATE when the schema is still to be
 * created), SELECT/INSERT/UPDATE/DELETE on target tables that exist, and for Redshift
 * the IAM role COPY assumes.
 */
export async function checkTarget(
  connection: WarehouseConnection,
  displayed: WarehouseConnection,
  tables: readonly {
    readonly table: TableRef;
    readonly targetSchema?: string;
    readonly targetName?: string;
  }[],
  settings: { readonly targetSchema?: string; readonly iamRole?: string; readonly ledgerSchema: string },
): Promise<ConnectionCheck> {
  const where = displayed.displayUrl;
  const targets = [];
  for (const entry of tables) {
    const resolved = resolveTargetTable(formatTableRef(entry.table), connection.dialect, {
      ...((entry.targetSchema ?? settings.targetSchema)
        ? { targetSchema: (entry.targetSchema ?? settings.targetSchema) as string }
        : {}),
      ...(entry.targetName ? { targetName: entry.targetName } : {}),
      ...(connection.schema ? { connectionSchema: connection.schema } : {}),
    });
    if (resolved.isErr())
      return failedCheck("target", where, resolved.error, "fix the target name or schema");
    targets.push(resolved.value);
  }
  const schemas = [settings.ledgerSchema, ...targets.map((target) => target.schema ?? "public")];
  const checked = await checkWarehouse(connection, { schemas, tables: targets });
  if (checked.isErr()) {
    return failedCheck(
      "target",
      where,
      checked.error,
      checked.error.kind === "auth"
        ? "check the user and password of the target (--target / connections.target / SLUICE_TARGET_URL)"
        : "check the target's host and port, that it is up, and the network (or the bastion) between",
    );
  }
  const facts = checked.value;
  const problems: CheckProblem[] = [];
  for (const schema of facts.schemas) {
    if (schema.create) continue;
    problems.push({
      message: schema.exists
        ? `${facts.user} may not CREATE in schema ${schema.schema} (tables, staging tables, views)`
        : `schema ${schema.schema} does not exist and ${facts.user} may not create it`,
      fix: schema.exists
        ? `GRANT CREATE ON SCHEMA ${schema.schema} TO ${facts.user}`
        : `CREATE SCHEMA ${schema.schema}; GRANT CREATE ON SCHEMA ${schema.schema} TO ${facts.user} (or GRANT CREATE ON DATABASE ${connection.database} TO ${facts.user})`,
      exitCode: 2,
    });
  }
  for (const table of facts.tables) {
    if (!table.exists) continue;
    const missing = (["select", "insert", "update", "delete"] as const).filter((right) => !table[right]);
    if (missing.length === 0) continue;
    const rights = missing.map((right) => right.toUpperCase()).join(", ");
    problems.push({
      message: `${facts.user} lacks ${rights} on ${table.table} (a merge needs SELECT, INSERT, UPDATE and DELETE)`,
      fix: `GRANT ${rights} ON ${table.table} TO ${facts.user}`,
      exitCode: 2,
    });
  }
  if (connection.dialect === "redshift" && !(settings.iamRole ?? connection.iamRole)) {
    problems.push({
      message: "Redshift COPY needs an IAM role to read the lake, and none is set",
      fix: "pass --iam-role arn:aws:iam::<account>:role/<name>, set iam_role under connections.target, or ?iam_role= in the target URL",
      exitCode: 2,
    });
  }
  return {
    name: "target",
    status: problems.length > 0 ? "fail" : "ok",
    where,
    latencyMs: facts.latencyMs,
    serverVersion: facts.serverVersion,
    timeZone: facts.timeZone,
    details: {
      connectMs: facts.connectMs,
      user: facts.user,
      schemas: facts.schemas,
      tables: facts.tables,
      iamRole: connection.dialect === "redshift" ? Boolean(settings.iamRole ?? connection.iamRole) : null,
    },
    problems,
    warnings: [],
  };
}
