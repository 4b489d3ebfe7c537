export { type AbandonedRunCleanup, cleanUpAbandonedRun } from "./abandoned-run.js";
export {
  type TableRunOutcome,
  type WrittenMarkers,
  writePipelineMarkers,
  writeTableMarkers,
} from "./completion-markers.js";
export { type CountValidation, validateCounts } from "./count-validation.js";
export { extractToLake, type RunIdentity } from "./extract-to-lake.js";
export {
  compareKeys,
  type KeyComparison,
  type KeyComparisonSettings,
  type SourceKeySide,
  type TargetKeySide,
} from "./key-reconciliation.js";
export {
  type CleanupOutcome,
  cleanLakeTable,
  type LakeCleanupOptions,
  type LakeTableOptions,
  surveyLakeTable,
} from "./lake-cleanup.js";
export {
  type CleanupFilter,
  type CleanupPlan,
  type CleanupRun,
  watermarkBound,
} from "./lake-cleanup-plan.js";
export {
  datedMarkerFolder,
  manifestPrefix,
  markersRoot,
  newRunId,
  partKey,
  pipelineMarkerFolder,
  redshiftManifestKey,
  runManifestKey,
  tableMarkerFolder,
} from "./lake-layout.js";
export { lakeTables, type RunObjects, type TableUsage } from "./lake-usage.js";
export { loadFromLake } from "./load-from-lake.js";
export * from "./pipeline-file/index.js";
export type { PlannedRun } from "./plan-extraction.js";
export { planExtraction, resolveStrategy } from "./plan-extraction.js";
export { isReconcileDue, parseReconcileCadence, type ReconcileCadence } from "./reconcile-cadence.js";
export { defaultReconcileMaxDeletes, reconcileDeletes } from "./reconcile-deletes.js";
export type { ReconcileReport } from "./reconcile-report.js";
export { reconcileTable } from "./reconcile-table.js";
export { createRetryTally, type RetryCounts, type RetryStage, type RetryTally } from "./retry-tally.js";
export { type IncompleteRunError, isIncompleteRun } from "./run-failure.js";
export { parseRunManifest } from "./run-manifest-schema.js";
export type {
  CumulativeCounts,
  DataVerification,
  ExtractReport,
  LoadSummary,
  RangeMismatch,
  RunEstimate,
  RunReport,
  StageCounts,
} from "./run-report.js";
export type { TimeBudgetReport } from "./run-time-budget.js";
export { parseSeedWatermark, type SeedWatermark } from "./seed-watermark.js";
export {
  dropStagedRun,
  listRuns,
  type RunDropOptions,
  type RunDropOutcome,
  type StagedRunRow,
} from "./staged-run-withdrawal.js";
export { listStagedRuns, type StagedRun } from "./staged-runs.js";
export type {
  SnapshotConnections,
  SyncMode,
  SyncProgress,
  SyncTableOptions,
  WarehouseTarget,
} from "./sync-options.js";
export { defaultPageSize, defaultRowsPerFile, defaultUnindexedRowLimit } from "./sync-options.js";
export { syncTable } from "./sync-table.js";
export { defaultVerifyRowsPerRange, verifyTableData } from "./verify-data.js";
export {
  importSeedWatermark,
  type ManualPosition,
  type ResetOutcome,
  resetWatermark,
  type SeedImportOutcome,
  setCumulativeCount,
  setWatermark,
  type WatermarkAdminOptions,
} from "./watermark-admin.js";
