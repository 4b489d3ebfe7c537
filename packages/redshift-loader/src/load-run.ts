import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnSpec, Logger, ObjectStore, RunManifest } from "@sluice/core";
import { isSluiceError, sluiceError } from "@sluice/core";
import type pg from "pg";
import { renderAddColumn, renderCreateTable } from "./create-table-sql.js";
import { emptyRunFileKey } from "./load-ledger.js";
import { renderMergeStatements, stagingSequenceColumn } from "./merge-sql.js";
import { defaultParquetTextReader, type ParquetTextReader } from "./parquet-text-reader.js";
import { renderRedshiftCopy } from "./redshift-copy.js";
import { formatWarehouseTable, qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import { copyRowsIntoStaging } from "./staging-copy-in.js";
import { warehouseError } from "./warehouse-errors.js";
import type { LoadReport } from "./warehouse-loader.js";
import { ensureSchema } from "./warehouse-session.js";
import type { WarehouseDialect } from "./warehouse-url.js";

export interface LoadRunInput {
  readonly client: pg.Client;
  readonly dialect: WarehouseDialect;
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
}

/**
 * BEGIN; lock; skip when the ledger has the run; CREATE TABLE IF NOT EXISTS (+ new
 * trailing columns); staging; COPY (manifest on Redshift, streamed parts on
 * PostgreSQL); row-count check; merge; ledger rows; COMMIT. Any failure rolls back
 * all of it. Throws SluiceErrors (kind `load` unless the cause says otherwise).
 */
export async function loadRunInTransaction(input: LoadRunInput): Promise<LoadReport> {
  const { client, dialect, manifest, target } = input;
  const started = performance.now();
  const targetName = formatWarehouseTable(target);
  const context = `loading ${manifest.table} run ${manifest.runId} into ${targetName}`;
  // Render everything that can be refused before touching the warehouse.
  const createTable = renderCreateTable(dialect, target, manifest.columns, manifest.primaryKey, {
    sortKey: manifest.cursorColumn,
  });
  const merge = renderMergeStatements(
    dialect,
    target,
    input.staging,
    manifest.columns,
    manifest.primaryKey,
    manifest.cursorColumn,
  );
  let copySql: string | null = null;
  if (dialect === "redshift") {
    const json = manifest.columns.some((column) => column.logical.kind === "json");
    copySql = renderRedshiftCopy(input.staging, input.manifestUri, input.iamRole ?? "", [
      ...input.copyOptions,
      ...(json ? ["SERIALIZETOJSON"] : []),
    ]);
  }

  let step = "creating the target schema";
  let report: LoadReport | null = null;
  try {
    if (target.schema !== null) await ensureSchema(client, dialect, target.schema);
    await client.query("BEGIN");
    try {
      step = "locking the target";
      if (dialect === "postgres") {
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`sluice load ${targetName}`]);
      }
      step = "creating the target table";
      await client.query(createTable);
      if (dialect === "redshift") await client.query(`LOCK ${qualifiedName(target)}`);
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
      step = "aligning the target columns";
      await addTrailingColumns(client, dialect, target, manifest);
      step = "creating the staging table";
      if (dialect === "postgres") {
        await client.query(
          `CREATE TEMP TABLE ${qualifiedName(input.staging)} (LIKE ${qualifiedName(target)}, ${quoteIdentifier(stagingSequenceColumn)} BIGINT NOT NULL) ON COMMIT DROP`,
        );
      } else {
        await client.query(
          `CREATE TEMP TABLE ${qualifiedName(input.staging)} (LIKE ${qualifiedName(target)})`,
        );
      }
      step = "copying into staging";
      if (copySql !== null) await client.query(copySql);
      else await copyPartsIntoStaging(input, context);

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
      for (const statement of merge) {
        const result = await client.query(statement);
        if (statement.startsWith("DELETE")) rowsDeleted += result.rowCount ?? 0;
        else rowsInserted += result.rowCount ?? 0;
      }
      step = "writing the load ledger";
      await writeLedgerRows(client, input, targetName);
      if (dialect === "redshift") await client.query(`DROP TABLE ${qualifiedName(input.staging)}`);
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
      };
      input.logger.info("run loaded", { ...report });
      return report;
    } finally {
      // Also after an early return or a throw: a no-op when COMMIT/ROLLBACK already ran.
      if (report === null) await client.query("ROLLBACK").catch(() => {});
    }
  } catch (thrown) {
    if (isSluiceError(thrown)) throw thrown;
    throw warehouseError(thrown, "load", `${context}, ${step}`);
  }
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
 * Parquet COPY maps by position, so the target must list the run's columns in order.
 * Columns a newer run adds at the end are added to the target; anything else
 * (renamed, dropped, reordered) is refused naming both lists.
 */
async function addTrailingColumns(
  client: pg.Client,
  dialect: WarehouseDialect,
  target: WarehouseTable,
  manifest: RunManifest,
): Promise<void> {
  const existing = await client.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
    [
      dialect === "redshift" ? target.schema?.toLowerCase() : target.schema,
      dialect === "redshift" ? target.name.toLowerCase() : target.name,
    ],
  );
  // Redshift folds identifiers to lower case even when quoted.
  const fold = (name: string) => (dialect === "redshift" ? name.toLowerCase() : name);
  const have = existing.rows.map((row) => fold(row.column_name));
  const want = manifest.columns.map((column) => fold(column.name));
  const prefixMatches = have.every((name, index) => want[index] === name);
  if (!prefixMatches || have.length > want.length) {
    throw sluiceError(
      "schema",
      `${manifest.table}: target ${formatWarehouseTable(target)} has columns (${have.join(", ")}) but run ${manifest.runId} carries (${want.join(", ")}); COPY maps columns by position, so only new trailing columns can be added: migrate the target table to the run's column order`,
    );
  }
  for (const column of manifest.columns.slice(have.length) as ColumnSpec[]) {
    await client.query(renderAddColumn(dialect, target, column));
  }
}

/** PostgreSQL: download each part (one at a time, bounded disk) and stream it into staging. */
async function copyPartsIntoStaging(input: LoadRunInput, context: string): Promise<void> {
  const reader = input.readParquetRows ?? defaultParquetTextReader;
  const directory = await mkdtemp(join(input.tempDir ?? tmpdir(), "sluice-load-"));
  const columnNames = input.manifest.columns.map((column) => column.name);
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
        throw warehouseError(thrown, "load", fileContext);
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
  const now = input.dialect === "redshift" ? "GETDATE()" : "now()";
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
