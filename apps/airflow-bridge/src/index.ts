// The public types reach kysely's, which name `AbortSignal` and `Blob`: Node's types declare them, so
// the reference is kept in index.d.ts and a consumer's tsc loads @types/node (a dependency).
/// <reference types="node" preserve="true" />
export { checkDagSpec } from "./check-dag-spec.js";
export { runBridgeCli } from "./cli/program.js";
export type { DagSpec, DagTable, KubernetesTaskSettings } from "./dag-spec.js";
export { dagDefaults } from "./dag-spec.js";
export type { GeneratedDag, WrittenDag } from "./generate-dag.js";
export { generateDag, writeDagFile } from "./generate-dag.js";
export type { PipelineDagTables, PipelineForDag, PipelineTableForDag } from "./pipeline-tables.js";
export { pipelineDagTables } from "./pipeline-tables.js";
export { renderDag } from "./render-dag.js";
export type { TaskCommandOptions } from "./task-command.js";
export { syncArgsFor, taskCommandFor } from "./task-command.js";
export { taskIdFor } from "./task-id.js";
