import type {
  KeyReconcilerRequest,
  ObjectStore,
  SluiceError,
  Warehouse,
  WarehouseKeyReconciler,
  WarehouseTable,
  WarehouseTableRequest,
} from "@sluice/core";
import { err, ok, type Result, type ResultAsync } from "neverthrow";
import type { ParquetTextReader } from "./parquet-text-reader.js";
import type { TableDdlOptions } from "./table-ddl-options.js";
import { explicitIdentifier } from "./target-names.js";
import { dialectOf } from "./warehouse-dialect.js";
import { openWarehouseKeyReconciler } from "./warehouse-key-reconciler.js";
import { openLoader } from "./warehouse-loader.js";
import type { WarehouseConnection } from "./warehouse-url.js";
import { checkLatestView, type LatestViewOptions } from "./write-mode.js";

/** The per-table settings only Redshift (and PostgreSQL, where they apply) understand. */
export interface SqlTableOptions {
  /** DISTSTYLE/DISTKEY, SORTKEY and column ENCODE used when the table is created or rebuilt (Redshift). */
  readonly ddl?: TableDdlOptions;
  /** Append tables: a view keeping the newest row per key. */
  readonly latestView?: LatestViewOptions;
  /** Redshift: the role COPY assumes to read the lake; default the connection's. */
  readonly iamRole?: string;
  /** Redshift: extra COPY options (only those valid with FORMAT AS PARQUET). */
  readonly copyOptions?: readonly string[];
}

/** Redshift or PostgreSQL as the core `Warehouse` seam. */
export type SqlWarehouse = Warehouse<SqlTableOptions>;

export interface SqlWarehouseOptions {
  readonly connection: WarehouseConnection;
  /** The lake: Redshift COPY reads it by URI; PostgreSQL loads download parts from it. */
  readonly lake: ObjectStore;
  /** Schema of the ledgers; default `sluice`. */
  readonly ledgerSchema?: string;
  /** Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** PostgreSQL: reads a downloaded part as text rows; default parquet-writer's reader. */
  readonly readParquetRows?: ParquetTextReader;
}

/**
 * A Redshift or PostgreSQL warehouse for the pipeline. Creating it connects nowhere:
 * each table session (`openTable`, `openKeyReconciler`) has its own connection, opened
 * when asked and closed by the session's `close`, so tables loading in parallel never
 * share a transaction. `close` has nothing left to end once the sessions are closed.
 */
export function createWarehouse(options: SqlWarehouseOptions): SqlWarehouse {
  const { connection } = options;
  const dialect = dialectOf(connection.dialect);
  const shared = {
    connection,
    lake: options.lake,
    ...(options.ledgerSchema !== undefined ? { ledgerSchema: options.ledgerSchema } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.readParquetRows !== undefined ? { readParquetRows: options.readParquetRows } : {}),
  };
  return {
    displayName: connection.displayUrl,
    maxTextBytes: dialect.maxTextBytes,
    checkTable: (request) => checkTable(request, connection),
    openTable(request: WarehouseTableRequest & SqlTableOptions): ResultAsync<WarehouseTable, SluiceError> {
      return openLoader({
        ...shared,
        ...(request.targetSchema !== undefined ? { targetSchema: request.targetSchema } : {}),
        ...(request.iamRole !== undefined ? { iamRole: request.iamRole } : {}),
        ...(request.copyOptions !== undefined ? { copyOptions: request.copyOptions } : {}),
        ...(request.logger !== undefined ? { logger: request.logger } : {}),
        ...(request.tempDir !== undefined ? { tempDir: request.tempDir } : {}),
        ...(request.faultHook !== undefined ? { faultHook: request.faultHook } : {}),
        tables: {
          [request.table]: {
            ...(request.ddl ?? {}),
            ...(request.targetName !== undefined ? { targetName: request.targetName } : {}),
            ...(request.writeMode !== undefined ? { writeMode: request.writeMode } : {}),
            ...(request.latestView !== undefined ? { latestView: request.latestView } : {}),
          },
        },
      });
    },
    openKeyReconciler(request: KeyReconcilerRequest): ResultAsync<WarehouseKeyReconciler, SluiceError> {
      return openWarehouseKeyReconciler({
        connection,
        spec: request.spec,
        mode: request.mode,
        ...(options.ledgerSchema !== undefined ? { ledgerSchema: options.ledgerSchema } : {}),
        ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
        ...(request.targetSchema !== undefined ? { targetSchema: request.targetSchema } : {}),
        ...(request.targetName !== undefined ? { targetName: request.targetName } : {}),
        ...(request.logger !== undefined ? { logger: request.logger } : {}),
        ...(request.onQuery !== undefined ? { onQuery: request.onQuery } : {}),
      });
    },
    close: async () => {},
  };
}

/**
 * Names the operator gave and the latest-view setting, checked before the source is
 * read; columns named by DDL options are checked by the loader once the run's columns
 * are known.
 */
function checkTable(
  request: WarehouseTableRequest & SqlTableOptions,
  connection: WarehouseConnection,
): Result<void, SluiceError> {
  for (const [what, given] of [
    ["target name", request.targetName],
    ["target schema", request.targetSchema],
  ] as const) {
    if (given === undefined) continue;
    const checked = explicitIdentifier(`${request.table}: ${what}`, given, connection.dialect);
    if (checked.isErr()) return err(checked.error);
  }
  const view = checkLatestView(request.table, request.writeMode ?? "merge", request.latestView);
  return view.isErr() ? err(view.error) : ok(undefined);
}
