// Core's key predicates expose kysely types, which name `AbortSignal` and `Blob`: Node's types
// declare them, so the reference is kept in index.d.ts and a consumer's tsc loads @types/node.
/// <reference types="node" preserve="true" />
export { closeMatches } from "./close-matches.js";
export type { SluiceErrorJson, SluiceErrorKind } from "./errors.js";
export {
  configError,
  isSluiceError,
  redactSecrets,
  rephrased,
  SluiceError,
  sluiceError,
  toSluiceError,
} from "./errors.js";
export type {
  CursorPosition,
  ExtractPaging,
  ExtractPlan,
  NullCursorPolicy,
  SnapshotProgress,
  SnapshotRange,
  SnapshotRead,
  WriteMode,
} from "./extract-plan.js";
export { freeBufferNow } from "./free-buffer.js";
export type { KeyDigest, KeyInterval, KeyPart, SourceKey } from "./key-interval.js";
export { keyText, keyTextSeparator } from "./key-interval.js";
export type { KeyComparison, OrderedKeyColumn } from "./key-interval-predicate.js";
export {
  intervalPredicate,
  keyListPredicate,
  keyRangePredicate,
  lexicographic,
} from "./key-interval-predicate.js";
export type { LogFields, Logger, LogLevel } from "./logger.js";
export { createJsonLogger, silentLogger } from "./logger.js";
export type { LogicalKind, LogicalType } from "./logical-type.js";
export type { ColumnStats, RunManifest, RunStartPoint, StagedFile } from "./manifest.js";
export type { ObjectInfo, ObjectStore, ObjectVersion, PutOptions, VersionedObject } from "./object-store.js";
export type { AnyRowBatch, PackedRowBatch, PackedRows, ValueDecoding } from "./packed-rows.js";
export {
  batchLastRow,
  batchRowCount,
  batchRows,
  decodePackedRow,
  decodePackedRows,
  isPackedBatch,
  PackedRowIndex,
} from "./packed-rows.js";
export type { KeyRange, RangeChecksum } from "./range-checksum.js";
export { canonicalSeparator, uncheckedKinds } from "./range-checksum.js";
export { redactUrl } from "./redact-url.js";
export type { RetryEvent, RetryHooks, RetryPolicy } from "./retry-policy.js";
export {
  defaultRetryPolicy,
  invalidRetryPolicy,
  noRetry,
  retryAsync,
  retryDelayMs,
  shouldRetry,
} from "./retry-policy.js";
export type { RowBatch, SourceValue } from "./row-batch.js";
export type {
  CapturedCeiling,
  CeilingRequest,
  ExtractedThrough,
  ExtractObserver,
  KeyDigestOptions,
  OpenTransaction,
  Source,
  SourceExtractOptions,
  SourceKeyDigests,
  SourceRecipe,
} from "./source.js";
export type { SqlFragment, SqlStatement } from "./sql-dialects.js";
export { compileMysql, compilePostgres } from "./sql-dialects.js";
export type { TableRef } from "./table-ref.js";
export { formatTableRef, parseTableRef } from "./table-ref.js";
export type { ColumnSpec, IndexSpec, TableSpec } from "./table-spec.js";
export { findColumn } from "./table-spec.js";
export type {
  AppliedDeletes,
  DeleteMode,
  KeyReconcilerRequest,
  LedgerRun,
  LoadReport,
  Warehouse,
  WarehouseKeyReconciler,
  WarehouseTable,
  WarehouseTableRequest,
} from "./warehouse.js";
