// The exported zod schemas' types name `URL`, which only Node's (or the DOM's) types declare:
// the reference is kept in index.d.ts so a consumer's tsc loads @types/node (a dependency).
/// <reference types="node" preserve="true" />
export type { LeaseDocument, LeaseHolder } from "./lease-document.js";
export { leaseDocumentSchema } from "./lease-document.js";
export { fenceWithLease } from "./lease-fenced-watermarks.js";
export {
  createLeaseStore,
  defaultLeaseTimeoutMs,
  type LeaseStore,
  type LeaseStoreOptions,
  leaseHolderFor,
  type RunLease,
} from "./run-lease.js";
export type {
  CountOverride,
  ExtractCommit,
  ExtractState,
  LoadCommit,
  LoadState,
  ReconcileState,
  SnapshotState,
  WatermarkDocument,
  WatermarkHistoryEntry,
  WatermarkOverride,
} from "./watermark-document.js";
export { currentWatermarkVersion, historyLimit, watermarkDocumentSchema } from "./watermark-document.js";
export { migrateWatermarkDocument } from "./watermark-document-migration.js";
export { leaseKey, watermarkBackupKey, watermarkKey } from "./watermark-key.js";
export { createWatermarkStore, type WatermarkStore, type WatermarkStoreOptions } from "./watermark-store.js";
