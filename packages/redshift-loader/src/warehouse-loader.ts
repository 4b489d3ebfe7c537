import type {
  ColumnSpec,
  KeyRange,
  LedgerRun,
  LoadReport,
  Logger,
  ObjectStore,
  RangeChecksum,
  RunManifest,
  SluiceError,
  WarehouseTable as TableSession,
  WriteMode,
} from "@sluice/core";
import { isSluiceError, silentLogger, sluiceError } from "@sluice/core";
import type { FaultHook } from "@sluice/core/internal";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type pg from "pg";
import { defaultLedgerSchema, ledgerTable } from "./load-ledger.js";
import { loadRunInTransaction } from "./load-run.js";
import type { ParquetTextReader } from "./parquet-text-reader.js";
import { normalizeCopyOptions } from "./redshift-copy-options.js";
import { formatWarehouseTable, qualifiedName, type WarehouseTable } from "./sql-text.js";
import type { TableDdlOptions } from "./table-ddl-options.js";
import { mapColumnNames } from "./target-names.js";
import { resolveTargetTable } from "./target-table.js";
import { findDialect, type WarehouseSqlDialect } from "./warehouse-dialect.js";
import { warehouseError } from "./warehouse-errors.js";
import { warehouseRangeChecksums } from "./warehouse-range-checksums.js";
import { connectWarehouse, ensureLedger } from "./warehouse-session.js";
import type { WarehouseConnection } from "./warehouse-url.js";
import type { LatestViewOptions } from "./write-mode.js";

export interface LoaderOptions {
  readonly connection: WarehouseConnection;
  /** The lake; for PostgreSQL the loader downloads staged Parquet parts from it. */
  readonly lake: ObjectStore;
  /** Target schema; default `connection.schema`, else the source schema name. */
  readonly targetSchema?: string;
  /** Redshift: the role COPY assumes; default `connection.iamRole`. */
  readonly iamRole?: string;
  /** Redshift: extra COPY options, only those valid with FORMAT AS PARQUET. */
  readonly copyOptions?: readonly string[];
  readonly logger?: Logger;
  /** Where PostgreSQL loads download parts (one at a time); default the OS temp dir. */
  readonly tempDir?: string;
  /** Schema of `sluice_load_ledger`; default `sluice`. */
  readonly ledgerSchema?: string;
  /** Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** PostgreSQL: reads a downloaded part as text rows; default parquet-writer's reader. */
  readonly readParquetRows?: ParquetTextReader;
  /** Crash-recovery tests stop the load here (see FaultPoint); unset in production. */
  readonly faultHook?: FaultHook;
  /** Per source table (`schema.table`): target name, schema and DDL options. */
  readonly tables?: Readonly<Record<string, TableTargetOptions>>;
}

/**
 * Where and how one source table lands. Names given here fold to lower case and must
 * be valid identifiers (else a `config` error suggests one); without them the target
 * is the source's names sanitised by `targetIdentifier`.
 */
export interface TableTargetOptions extends TableDdlOptions {
  /** merge (default: upsert by primary key), append (keep every version) or replace. */
  readonly writeMode?: WriteMode;
  /** Append tables only: a view of the newest row per key (the seed's latest-status views). */
  readonly latestView?: LatestViewOptions;
  /** Target table name; default: the source table name, sanitised. */
  readonly targetName?: string;
  /** Target schema; overrides `LoaderOptions.targetSchema` for this table. */
  readonly targetSchema?: string;
}

/**
 * The `WarehouseTable` session of `@sluice/core`, for Redshift and PostgreSQL: the name this
 * package has always used for it.
 */
export type WarehouseLoader = TableSession;

/**
 * Connects, pins the session time zone to UTC and makes sure the ledger exists. The
 * dialect object is looked up here, once, from `connection.dialect`.
 */
export function openLoader(options: LoaderOptions): ResultAsync<WarehouseLoader, SluiceError> {
  const { connection } = options;
  const found = findDialect(connection.dialect);
  if (found.isErr()) return errAsync(found.error);
  const dialect = found.value;
  const iamRole = options.iamRole ?? connection.iamRole;
  // A warehouse that reads the lake itself needs a role to read it with.
  if (dialect.copyPath === "lake-manifest" && !iamRole) {
    return errAsync(
      sluiceError(
        "config",
        `${dialect.displayName} target ${connection.displayUrl} has no IAM role; add ?iam_role=arn:aws:iam::<account>:role/<name> to the URL or pass --iam-role`,
      ),
    );
  }
  const copyOptions = normalizeCopyOptions(options.copyOptions ?? []);
  if (copyOptions.isErr()) return errAsync(copyOptions.error);
  const ledger = ledgerTable(options.ledgerSchema ?? defaultLedgerSchema);
  return connectWarehouse(
    connection,
    options.connectTimeoutMs ?? 10_000,
    options.logger ?? silentLogger,
  ).andThen((client) =>
    ensureLedger(client, dialect, ledger)
      .map(
        (): WarehouseLoader =>
          new SessionLoader(client, dialect, options, ledger, iamRole ?? null, copyOptions.value),
      )
      .orElse((error) =>
        ResultAsync.fromSafePromise(client.end().catch(() => {})).andThen(() => errAsync(error)),
      ),
  );
}

class SessionLoader implements WarehouseLoader {
  private stagingCounter = 0;
  private closed = false;

  constructor(
    private readonly client: pg.Client,
    private readonly dialect: WarehouseSqlDialect,
    private readonly options: LoaderOptions,
    private readonly ledger: WarehouseTable,
    private readonly iamRole: string | null,
    private readonly copyOptions: readonly string[],
  ) {}

  targetOf(table: string): ResultAsync<string, SluiceError> {
    return this.tableOf(table).map(formatWarehouseTable);
  }

  loadedRuns(table: string): ResultAsync<ReadonlyMap<string, LedgerRun>, SluiceError> {
    return this.tableOf(table).andThen((target) =>
      ResultAsync.fromPromise(
        this.client.query<{ run_id: string; rows: string; files: string; loaded_at: Date }>(
          `SELECT "run_id", SUM("rows") AS "rows", COUNT(*) AS "files", MIN("loaded_at") AS "loaded_at" FROM ${qualifiedName(this.ledger)} WHERE "source_table" = $1 AND "target_table" = $2 GROUP BY "run_id" ORDER BY "run_id"`,
          [table, formatWarehouseTable(target)],
        ),
        (thrown) => warehouseError(thrown, "load", `reading the load ledger for ${table}`),
      ).map(
        (result): ReadonlyMap<string, LedgerRun> =>
          new Map(
            result.rows.map((row) => [
              row.run_id,
              {
                rows: Number(row.rows),
                // a run without files has one placeholder row
                files: Number(row.rows) === 0 ? 0 : Number(row.files),
                loadedAt: new Date(row.loaded_at).toISOString(),
              },
            ]),
          ),
      ),
    );
  }

  checksumRanges(
    table: string,
    columns: readonly ColumnSpec[],
    primaryKey: readonly string[],
    ranges: readonly KeyRange[],
  ): ResultAsync<RangeChecksum[], SluiceError> {
    const dialect = this.dialect;
    const names = mapColumnNames(table, columns, dialect);
    if (names.isErr()) return errAsync(names.error);
    const nameOf = new Map(names.value.map((name) => [name.source.name, name.target]));
    return this.tableOf(table).andThen((target) =>
      ResultAsync.fromPromise(
        warehouseRangeChecksums(
          this.client,
          dialect,
          target,
          names.value,
          primaryKey.map((key) => nameOf.get(key) ?? key),
          ranges,
        ),
        (thrown) => warehouseError(thrown, "load", `checksumming ${formatWarehouseTable(target)}`),
      ),
    );
  }

  private tableOf(table: string): ResultAsync<WarehouseTable, SluiceError> {
    const perTable = this.options.tables?.[table];
    const givenSchema = perTable?.targetSchema ?? this.options.targetSchema;
    const resolved = resolveTargetTable(table, this.dialect, {
      ...(givenSchema !== undefined ? { targetSchema: givenSchema } : {}),
      ...(perTable?.targetName !== undefined ? { targetName: perTable.targetName } : {}),
      ...(this.options.connection.schema !== undefined
        ? { connectionSchema: this.options.connection.schema }
        : {}),
    });
    return resolved.isErr() ? errAsync(resolved.error) : okAsync(resolved.value);
  }

  loadedRunIds(table: string): ResultAsync<ReadonlySet<string>, SluiceError> {
    return this.tableOf(table).andThen((target) =>
      ResultAsync.fromPromise(
        this.client.query<{ run_id: string }>(
          `SELECT DISTINCT "run_id" FROM ${qualifiedName(this.ledger)} WHERE "source_table" = $1 AND "target_table" = $2`,
          [table, formatWarehouseTable(target)],
        ),
        (thrown) => warehouseError(thrown, "load", `reading the load ledger for ${table}`),
      ).map((result): ReadonlySet<string> => new Set(result.rows.map((row) => row.run_id))),
    );
  }

  loadRun(manifest: RunManifest, manifestUri: string): ResultAsync<LoadReport, SluiceError> {
    return this.tableOf(manifest.table).andThen((target) => {
      this.stagingCounter += 1;
      const tableOptions = this.options.tables?.[manifest.table];
      const work = loadRunInTransaction({
        client: this.client,
        dialect: this.dialect,
        manifest,
        manifestUri,
        target,
        staging: { schema: null, name: `sluice_stage_${this.stagingCounter}` },
        ledger: this.ledger,
        lake: this.options.lake,
        iamRole: this.iamRole,
        copyOptions: this.copyOptions,
        tempDir: this.options.tempDir,
        readParquetRows: this.options.readParquetRows,
        logger: this.options.logger ?? silentLogger,
        ...(this.options.faultHook ? { faultHook: this.options.faultHook } : {}),
        ...(tableOptions?.writeMode ? { writeMode: tableOptions.writeMode } : {}),
        ...(tableOptions?.latestView ? { latestView: tableOptions.latestView } : {}),
        ...(tableOptions ? { ddlOptions: tableOptions } : {}),
      });
      return ResultAsync.fromPromise(work, (thrown) =>
        isSluiceError(thrown)
          ? thrown
          : warehouseError(thrown, "load", `loading ${manifest.table} run ${manifest.runId}`),
      );
    });
  }

  countRows(table: string): ResultAsync<number, SluiceError> {
    return this.tableOf(table).andThen((target) =>
      ResultAsync.fromPromise(
        this.client.query<{ count: string }>(`SELECT COUNT(*) AS "count" FROM ${qualifiedName(target)}`),
        (thrown) => warehouseError(thrown, "load", `counting rows of ${formatWarehouseTable(target)}`),
      ).map((result) => Number(result.rows[0]?.count ?? 0)),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => {});
  }
}
