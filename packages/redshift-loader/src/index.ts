export { copyTextLine, escapeCopyText } from "./copy-text.js";
export { type CreateTableOptions, renderAddColumn, renderCreateTable } from "./create-table-sql.js";
export { defaultLedgerSchema, ledgerTableName, renderCreateLedger } from "./load-ledger.js";
export { renderMergeStatements, stagingSequenceColumn } from "./merge-sql.js";
export type { ParquetTextReader } from "./parquet-text-reader.js";
export { renderRedshiftCopy } from "./redshift-copy.js";
export { normalizeCopyOptions } from "./redshift-copy-options.js";
export { renderRedshiftManifest } from "./redshift-manifest.js";
export { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
export { warehouseColumnType } from "./warehouse-column-type.js";
export type { LoaderOptions, LoadReport, WarehouseLoader } from "./warehouse-loader.js";
export { openLoader } from "./warehouse-loader.js";
export {
  isIamRole,
  parseWarehouseUrl,
  type WarehouseConnection,
  type WarehouseDialect,
} from "./warehouse-url.js";
