export { extractToLake, type RunIdentity } from "./extract-to-lake.js";
export {
  manifestPrefix,
  newRunId,
  partKey,
  redshiftManifestKey,
  runManifestKey,
} from "./lake-layout.js";
export { loadFromLake } from "./load-from-lake.js";
export type { PlannedRun } from "./plan-extraction.js";
export { planExtraction, resolveStrategy } from "./plan-extraction.js";
export { parseRunManifest } from "./run-manifest-schema.js";
export type { ExtractReport, LoadSummary, RunReport } from "./run-report.js";
export type { SyncMode, SyncTableOptions, WarehouseTarget } from "./sync-options.js";
export { defaultPageSize, defaultRowsPerFile, defaultUnindexedRowLimit } from "./sync-options.js";
export { syncTable } from "./sync-table.js";
