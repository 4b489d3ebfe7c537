export type {
  ExtractState,
  LoadState,
  WatermarkDocument,
  WatermarkHistoryEntry,
} from "./watermark-document.js";
export { historyLimit, watermarkDocumentSchema } from "./watermark-document.js";
export { watermarkKey } from "./watermark-key.js";
export { createWatermarkStore, type WatermarkStore, type WatermarkStoreOptions } from "./watermark-store.js";
