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
  ExtractState,
  LoadState,
  WatermarkDocument,
  WatermarkHistoryEntry,
} from "./watermark-document.js";
export { historyLimit, watermarkDocumentSchema } from "./watermark-document.js";
export { leaseKey, watermarkKey } from "./watermark-key.js";
export { createWatermarkStore, type WatermarkStore, type WatermarkStoreOptions } from "./watermark-store.js";
