import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadReport, Logger, ObjectStore, RunManifest, WriteMode } from "@sluice/core";
import { isSluiceError, sluiceError } from "@sluice/core";
import type { FaultHook } from "@sluice/core/internal";
import type pg from "pg";
import { copyErrorLocation } from "./copy-error-row.js";
import { type CreateTableOptions, renderCreateTableFromDefinitions } from "./create-table-sql.js";
import { emptyRunFileKey } from "./load-ledger.js";
import { checkMergedRows } from "./merged-rows-check.js";
import { checkParquetContract } from "./parquet-contract.js";
import { defaultParquetTextReader, type ParquetTextReader } from "./parquet-text-reader.js";
import { renderRedshiftCopy } from "./redshift-copy.js";
import { renderWriteStatements } from "./replace-sql.js";
import { type RunColumn, runColumnsOf } from "./run-columns.js";
import { isEmptyPlan, planSchemaEvolution } from "./schema-evolution.js";
import {
  rebuildsFor,
  renderEvolutionStatements,
  renderRedshiftVarcharAlters,
} from "./schema-evolution-sql.js";
import { formatWarehouseTable, qualifiedName, type WarehouseTable } from "./sql-text.js";
import { copyRowsIntoStaging } from "./staging-copy-in.js";
import { renderStagingTable } from "./staging-table-sql.js";
import { resolveDdlOptions, type TableDdlOptions } from "./table-ddl-options.js";
import { readCatalogColumns } from "./target-catalog.js";
import { mapColumnNames } from "./target-names.js";
import type { WarehouseSqlDialect } from "./warehouse-dialect.js";
import { warehouseError } from "./warehouse-errors.js";
import { ensureSchema, takeTargetLock } from "./warehouse-session.js";
import { checkLatestView, keyForMode, type LatestViewOptions, renderLatestView } from "./write-mode.js";

export interface LoadRunInput {
  readonly client: pg.Client;
  readonly dialect: WarehouseSqlDialect;
  readonly manifest: RunManifest;
  readonly manifestUri: string;
  readonly target: WarehouseTable;
  readonly staging: WarehouseTable;
  readonly ledger: WarehouseTable;
  readonly lake: ObjectStore;
  readonly iamRole: string | null;
  readonly copyOptions: readonly string[];
  readonly tempDir: string | undefined;
  readonly readParquetRows: ParquetTextReader | undefined;
  readonly logger: Logger;
  /** DISTSTYLE/SORTKEY/ENCODE for this table (Redshift); default AUTO / cursor / AUTO. */
  readonly ddlOptions?: TableDdlOptions;
  /** Crash-recovery tests stop here (`copy-started`, `before-commit`); unset in production. */
  readonly faultHook?: FaultHook;
  /** merge (default), append or replace. */
  readonly writeMode?: WriteMode;
  /** Append tables: a view of the newest row per key, recreated by each load. */
  readonly latestView?: LatestViewOptions;
}

/** Everything rendered and checked before the warehouse is touched. */
interface PreparedRun {
  readonly columns: readonly RunColumn[];
  readonly primaryKey: readonly string[];
  readonly createOptions: CreateTableOptions;
  readonly createTable: string;
  readonly stagingTable: string;
  readonly merge: readonly string[];
  readonly copySql: string | null;
  /** merge, append or replace, as applied to this run. */
  readonly mode: WriteMode;
  /** The latest view to drop before and recreate after the write, with its key and order columns. */
  readonly latestView: {
    readonly view: WarehouseTable;
    readonly keys: readonly string[];
    readonly orderBy: string;
  } | null;
}

/**
 * The pre-flight work that needs no warehouse: warehouse names for every column
 * (collisions refused), staging types holding every staged value, the Parquet ->
 * staging contract (where the warehouse COPYs the Parquet parts itself), DDL options validated against the mapped names, and
 * all SQL rendered. Throws SluiceErrors (`schema` / `config`).
 */
function prepareRun(input: LoadRunInput): PreparedRun {
  const { dialect, manifest, target } = input;
  const names = mapColumnNames(manifest.table, manifest.columns, dialect);
  if (names.isErr()) throw names.error;
  const columns = runColumnsOf(dialect, target, manifest, names.value);
  const copiesFromLake = dialect.copyPath === "lake-manifest";
  if (copiesFromLake) {
    const mismatch = checkParquetContract(manifest.table, manifest.runId, columns);
    if (mismatch) throw mismatch;
  }
  const nameOf = (source: string) => {
    const found = columns.find((column) => column.source.name === source);
    if (!found) {
      throw sluiceError(
        "schema",
        `${manifest.table} run ${manifest.runId}: key or cursor column "${source}" is not among the run's columns; the manifest is inconsistent: re-stage the run`,
      );
    }
    return found.name;
  };
  // The table's configured mode wins over the one the strategy wrote into the manifest.
  const mode = input.writeMode ?? manifest.writeMode ?? "merge";
  const viewChecked = checkLatestView(manifest.table, mode, input.latestView);
  if (viewChecked.isErr()) throw viewChecked.error;
  const primaryKey = keyForMode(mode, manifest.primaryKey.map(nameOf));
  const view = input.latestView;
  const latestView = view
    ? {
        view: { schema: target.schema, name: view.name ?? `${target.name}_latest` },
        keys: view.keyColumns.map(nameOf),
        orderBy: nameOf(view.orderBy),
      }
    : null;
  const cursor = manifest.cursorColumn === null ? null : nameOf(manifest.cursorColumn);
  const ddl = resolveDdlOptions(
    manifest.table,
    input.ddlOptions ?? {},
    names.value,
    cursor,
    new Map(columns.map((column) => [column.name, column.typeText])),
  );
  if (ddl.isErr()) throw ddl.error;
  const createOptions: CreateTableOptions = { ddl: ddl.value };
  const definitions = columns.map((column) => ({
    name: column.name,
    type: column.typeText,
    notNull: !column.nullable,
  }));
  let copySql: string | null = null;
  if (copiesFromLake) {
    // No SERIALIZETOJSON: JSON is staged as text and parsed in the merge (RunColumn.staged).
    copySql = renderRedshiftCopy(input.staging, input.manifestUri, input.iamRole ?? "", input.copyOptions);
  }
  return {
    columns,
    primaryKey,
    createOptions,
    createTable: renderCreateTableFromDefinitions(
      dialect,
      target,
      definitions,
      primaryKey,
      createOptions,
      true,
    ),
    stagingTable: renderStagingTable(dialect, input.staging, columns),
    // Merge by key, append, or replace the whole target (full snapshots): see replace-sql.ts.
    merge: renderWriteStatements(
      mode,
      dialect,
      target,
      input.staging,
      columns.map((column) => ({ name: column.name, parseJson: column.staged?.parse === "json" })),
      primaryKey,
      cursor,
    ),
    copySql,
    latestView,
    mode,
  };
}

/**
 * Pre-flight (names, Parquet contract, DDL options) before anything runs; then BEGIN;
 * lock; CREATE TABLE IF NOT EXISTS; skip when the ledger has the run; compare the
 * target with the run and evolve it (add / widen / relax NOT NULL, or refuse); staging
 * shaped like the run; COPY (`dialect.copyPath`: a manifest the warehouse reads from
 * the lake, or parts streamed from here);
 * row-count check; merge by column name; ledger rows; COMMIT. Any failure rolls back
 * all of it. Throws SluiceErrors (kind `load` unless the cause says otherwise).
 */
export async function loadRunInTransaction(input: LoadRunInput): Promise<LoadReport> {
  const { client, dialect, manifest, target } = input;
  const started = performance.now();
  const targetName = formatWarehouseTable(target);
  const context = `loading ${manifest.table} run ${manifest.runId} into ${targetName}`;
  const prepared = prepareRun(input);
  const schemaChanges: string[] = [];

  let step = "creating the target schema";
  let report: LoadReport | null = null;
  try {
    if (target.schema !== null) await ensureSchema(client, dialect, target.schema);
    if (!dialect.altersTypesInTransaction) {
      step = "widening VARCHAR columns in place";
      await widenVarcharsBeforeTransaction(input, prepared, schemaChanges);
    }
    await client.query("BEGIN");
    try {
      const lock = dialect.targetLock(target);
      step = "locking the target";
      // A lock on the table itself waits for CREATE TABLE IF NOT EXISTS; others come first.
      if (!lock.needsTable) await takeTargetLock(client, lock);
      step = "creating the target table";
      await client.query(prepared.createTable);
      if (lock.needsTable) await takeTargetLock(client, lock);
      step = "reading the load ledger";
      const seen = await client.query(
        `SELECT 1 FROM ${qualifiedName(input.ledger)} WHERE "source_table" = $1 AND "target_table" = $2 AND "run_id" = $3 LIMIT 1`,
        [manifest.table, targetName, manifest.runId],
      );
      if (seen.rows.length > 0) {
        await client.query("ROLLBACK");
        report = emptyReport(manifest, targetName, true, started);
        input.logger.info("run already loaded, skipped", { table: manifest.table, runId: manifest.runId });
        return report;
      }
      if (prepared.latestView) {
        // Dropped and recreated in this transaction: a view bound to the table would
        // block widening it, and the recreated view picks up added columns.
        step = "dropping the latest view";
        await client.query(`DROP VIEW IF EXISTS ${qualifiedName(prepared.latestView.view)}`);
      }
      step = "checking the target table against the run";
      await evolveTarget(input, prepared, schemaChanges);
      step = "creating the staging table";
      await client.query(prepared.stagingTable);
      step = "copying into staging";
      // An empty run (an emptied table's full snapshot) has no parts to COPY.
      if (prepared.copySql !== null && manifest.files.length > 0) await client.query(prepared.copySql);
      else await copyPartsIntoStaging(input, prepared.columns, context);
      await input.faultHook?.("copy-started");

      step = "counting staged rows";
      const counted = await client.query<{ count: string }>(
        `SELECT COUNT(*) AS "count" FROM ${qualifiedName(input.staging)}`,
      );
      const rowsStaged = Number(counted.rows[0]?.count ?? 0);
      if (rowsStaged !== manifest.rows) {
        throw sluiceError(
          "load",
          `${context}: staging holds ${rowsStaged} rows but the run manifest lists ${manifest.rows}; nothing was committed: re-stage the run`,
        );
      }
      step = "merging staging into the target";
      let rowsDeleted = 0;
      let rowsInserted = 0;
      for (const statement of prepared.merge) {
        const result = await client.query(statement);
        if (statement.startsWith("DELETE")) rowsDeleted += result.rowCount ?? 0;
        else rowsInserted += result.rowCount ?? 0;
      }
      step = "checking the merged rows";
      await checkMergedRows(
        client,
        input.staging,
        // merge inserts one row per key; append and replace insert every staged row
        prepared.mode === "merge" ? prepared.primaryKey : [],
        rowsStaged,
        rowsInserted,
        context,
      );
      if (prepared.latestView) {
        step = "creating the latest view";
        const catalog = (await readCatalogColumns(client, dialect, target)) ?? [];
        const { view, keys, orderBy } = prepared.latestView;
        const names = [...catalog].sort((a, b) => a.position - b.position).map((column) => column.name);
        await client.query(renderLatestView(view, target, names, keys, orderBy));
      }
      step = "writing the load ledger";
      await writeLedgerRows(client, input, targetName);
      if (!dialect.dropsStagingAtCommit) await client.query(`DROP TABLE ${qualifiedName(input.staging)}`);
      await input.faultHook?.("before-commit");
      step = "committing";
      await client.query("COMMIT");
      report = {
        table: manifest.table,
        target: targetName,
        runId: manifest.runId,
        skipped: false,
        filesLoaded: manifest.files.length,
        rowsStaged,
        rowsInserted,
        rowsDeleted,
        durationMs: Math.round(performance.now() - started),
        schemaChanges,
      };
      input.logger.info("run loaded", { ...report });
      return report;
    } finally {
      // Also after an early return or a throw: a no-op when COMMIT/ROLLBACK already ran.
      if (report === null) await client.query("ROLLBACK").catch(() => {});
    }
  } catch (thrown) {
    if (isSluiceError(thrown)) throw thrown;
    throw warehouseError(thrown, "load", `${context}, ${step}${rebuildHint(thrown, schemaChanges)}`);
  }
}

/** A DROP refused because views depend on the table: say how to let sluice rebuild it. */
function rebuildHint(thrown: unknown, changes: readonly string[]): string {
  const code = (thrown as { code?: string } | null)?.code;
  if (code !== "2BP01" || !changes.some((change) => change.startsWith("rebuilt"))) return "";
  return " (widening rebuilds the table and views bound to it block the DROP: recreate them WITH NO SCHEMA BINDING, or drop them and recreate them after this run)";
}

function emptyReport(manifest: RunManifest, target: string, skipped: boolean, started: number): LoadReport {
  return {
    table: manifest.table,
    target,
    runId: manifest.runId,
    skipped,
    filesLoaded: 0,
    rowsStaged: 0,
    rowsInserted: 0,
    rowsDeleted: 0,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Inside the transaction, after the lock: compares the target's catalog with the run
 * by column name and applies the evolution plan, or throws the `schema` error that
 * stops the table. Records what changed in `changes` (for the load report).
 */
async function evolveTarget(input: LoadRunInput, prepared: PreparedRun, changes: string[]): Promise<void> {
  const { client, dialect, manifest, target } = input;
  const existing = await readCatalogColumns(client, dialect, target);
  if (existing === null) {
    throw sluiceError(
      "load",
      `loading ${manifest.table} run ${manifest.runId}: target ${formatWarehouseTable(target)} is not visible in the catalog right after CREATE TABLE; check the loader user's privileges on the schema`,
    );
  }
  const plan = planSchemaEvolution(
    dialect,
    manifest.table,
    manifest.runId,
    target,
    prepared.columns,
    existing,
  );
  if (!("finalColumns" in plan)) throw plan;
  if (isEmptyPlan(plan)) return;
  const statements = renderEvolutionStatements(
    dialect,
    target,
    plan,
    prepared.primaryKey,
    prepared.createOptions,
  );
  for (const statement of statements) await client.query(statement);
  if (rebuildsFor(dialect, plan))
    changes.push(`rebuilt ${formatWarehouseTable(target)} to change column types in place of ALTER`);
  for (const change of plan.typeChanges)
    changes.push(`widened ${change.column} ${change.from.typeText} -> ${change.toText}`);
  for (const column of plan.relaxNotNull) changes.push(`${column} now accepts NULL`);
  for (const column of plan.addColumns) changes.push(`added ${column.name} ${column.typeText}`);
  input.logger.info("target table evolved", {
    table: manifest.table,
    target: formatWarehouseTable(target),
    changes,
  });
}

/**
 * Where types cannot change inside the transaction (Redshift), before it: VARCHAR
 * widenings that ALTER COLUMN TYPE can do in place (it refuses to run inside a
 * transaction block). A refusal (key column, BYTEDICT encoding, a default) is logged
 * and left to the rebuild inside the transaction; a concurrent loader doing the same
 * is harmless (the plan is re-read).
 */
async function widenVarcharsBeforeTransaction(
  input: LoadRunInput,
  prepared: PreparedRun,
  changes: string[],
): Promise<void> {
  const { client, dialect, manifest, target } = input;
  const existing = await readCatalogColumns(client, dialect, target);
  if (existing === null) return;
  const plan = planSchemaEvolution(
    dialect,
    manifest.table,
    manifest.runId,
    target,
    prepared.columns,
    existing,
  );
  if (!("finalColumns" in plan)) return; // the transaction reports it
  for (const statement of renderRedshiftVarcharAlters(target, plan, prepared.primaryKey)) {
    try {
      await client.query(statement);
      changes.push(statement.replace(/^ALTER TABLE \S+ ALTER COLUMN /, "widened in place "));
    } catch (thrown) {
      input.logger.warn("VARCHAR widening in place refused; the load rebuilds the table instead", {
        table: manifest.table,
        statement,
        message: (thrown as Error).message,
      });
    }
  }
}

/** `copyPath: "stdin"`: download each part (one at a time, bounded disk) and stream it into staging. */
async function copyPartsIntoStaging(
  input: LoadRunInput,
  columns: readonly RunColumn[],
  context: string,
): Promise<void> {
  const reader = input.readParquetRows ?? defaultParquetTextReader;
  const directory = await mkdtemp(join(input.tempDir ?? tmpdir(), "sluice-load-"));
  const columnNames = columns.map((column) => column.name);
  let sequence = 0;
  try {
    for (const [index, file] of input.manifest.files.entries()) {
      const fileContext = `${context}, file ${file.key}`;
      const path = join(directory, `part-${index}.parquet`);
      const downloaded = await input.lake.getToFile(file.key, path);
      if (downloaded.isErr()) {
        throw sluiceError(downloaded.error.kind, `${fileContext}: ${downloaded.error.message}`, {
          retryable: downloaded.error.retryable,
          cause: downloaded.error,
        });
      }
      let copied: number;
      try {
        copied = await copyRowsIntoStaging(
          input.client,
          input.staging,
          columnNames,
          reader(path, input.manifest.columns),
          sequence,
          fileContext,
        );
      } catch (thrown) {
        if (isSluiceError(thrown)) throw thrown;
        const location = await copyErrorLocation(
          thrown,
          () => reader(path, input.manifest.columns),
          columnNames,
          input.manifest.primaryKey,
        );
        throw warehouseError(thrown, "load", `${fileContext}${location}`);
      }
      if (copied !== file.rows) {
        throw sluiceError(
          "load",
          `${fileContext}: the part holds ${copied} rows but the run manifest lists ${file.rows}; nothing was committed: re-stage the run`,
        );
      }
      sequence += copied;
      await rm(path, { force: true });
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function writeLedgerRows(client: pg.Client, input: LoadRunInput, targetName: string): Promise<void> {
  const { manifest } = input;
  const entries =
    manifest.files.length > 0
      ? manifest.files.map((file) => ({ key: file.key, rows: file.rows }))
      : [{ key: emptyRunFileKey(manifest.runId), rows: 0 }];
  // One multi-row INSERT with parameters; a run has at most a few thousand parts.
  const now = input.dialect.now;
  const values: unknown[] = [];
  const tuples = entries.map((entry, index) => {
    values.push(manifest.table, targetName, manifest.runId, entry.key, entry.rows);
    const base = index * 5;
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, ${now})`;
  });
  await client.query(
    `INSERT INTO ${qualifiedName(input.ledger)} ("source_table", "target_table", "run_id", "file_key", "rows", "loaded_at") VALUES ${tuples.join(", ")}`,
    values,
  );
}
