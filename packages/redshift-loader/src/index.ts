export { copyTextLine, escapeCopyText } from "./copy-text.js";
export {
  type ColumnDefinition,
  type CreateTableOptions,
  renderAddColumn,
  renderCreateTable,
  renderCreateTableFromDefinitions,
} from "./create-table-sql.js";
export { defaultLedgerSchema, ledgerTableName, renderCreateLedger } from "./load-ledger.js";
export { type MergeColumn, renderMergeStatements, stagingSequenceColumn } from "./merge-sql.js";
export { checkParquetContract, parquetMismatch } from "./parquet-contract.js";
export type { ParquetTextReader } from "./parquet-text-reader.js";
export { postgresDialect } from "./postgres-dialect.js";
export { reconcileLedgerTableName, renderCreateReconcileLedger } from "./reconcile-ledger.js";
export { renderRedshiftCopy } from "./redshift-copy.js";
export { normalizeCopyOptions } from "./redshift-copy-options.js";
export { redshiftDialect } from "./redshift-dialect.js";
export { renderRedshiftManifest } from "./redshift-manifest.js";
export { renderReplaceStatements, renderWriteStatements } from "./replace-sql.js";
export { type RunColumn, runColumnsOf } from "./run-columns.js";
export {
  type EvolutionPlan,
  isEmptyPlan,
  planSchemaEvolution,
  type TypeChange,
} from "./schema-evolution.js";
export {
  rebuildTableName,
  renderEvolutionStatements,
  renderRebuildStatements,
  renderRedshiftVarcharAlters,
} from "./schema-evolution-sql.js";
export { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
export type { SqlTableOptions, SqlWarehouse, SqlWarehouseOptions } from "./sql-warehouse.js";
export { createWarehouse } from "./sql-warehouse.js";
export { renderStagingTable } from "./staging-table-sql.js";
export { type ResolvedDdlOptions, resolveDdlOptions, type TableDdlOptions } from "./table-ddl-options.js";
export { type CatalogColumn, catalogColumnsSql } from "./target-catalog.js";
export {
  explicitIdentifier,
  mapColumnNames,
  maxIdentifierBytes,
  type TargetColumnName,
  targetIdentifier,
} from "./target-names.js";
export { resolveTargetTable } from "./target-table.js";
export {
  checkWarehouse,
  type SchemaRights,
  type TableRights,
  type WarehouseFacts,
} from "./warehouse-check.js";
export {
  type DialectOrName,
  dialectOf,
  renderWarehouseType,
  type TargetLock,
  type WarehouseSqlDialect,
  warehouseColumnType,
} from "./warehouse-dialect.js";
export {
  type KeyReconcilerOptions,
  openWarehouseKeyReconciler,
} from "./warehouse-key-reconciler.js";
export {
  deletedAtColumn,
  type WarehouseKeyColumn,
  type WarehouseKeySql,
  type WarehouseStatement,
  warehouseKeySql,
  warehouseKeyText,
} from "./warehouse-key-sql.js";
export type { LoaderOptions, TableTargetOptions, WarehouseLoader } from "./warehouse-loader.js";
export { openLoader } from "./warehouse-loader.js";
export { type ChecksumColumn, warehouseCanonicalText } from "./warehouse-range-checksums.js";
export {
  parseWarehouseType,
  typeHolds,
  type WarehouseType,
  widenedType,
} from "./warehouse-type.js";
export {
  isIamRole,
  parseWarehouseUrl,
  type WarehouseConnection,
  type WarehouseDialect,
} from "./warehouse-url.js";
export { checkLatestView, keyForMode, type LatestViewOptions, renderLatestView } from "./write-mode.js";
