export { type Environment, interpolateEnvironment } from "./env-interpolation.js";
export { loadPipelineFile, type PipelineFile, parsePipelineFile } from "./load-pipeline-file.js";
export { pipelineFilePath } from "./pipeline-file-path.js";
export type {
  LakeConnectionEntry,
  PipelineFileContent,
  PipelineTableEntry,
  SourceConnectionEntry,
  SshBastionEntry,
  TargetConnectionEntry,
} from "./pipeline-file-schema.js";
export { globMatcher, selectTables } from "./table-selection.js";
export {
  type FlagSettings,
  type FlagValue,
  type TableSettingKey,
  tableSettingKeys,
  tableSettings,
} from "./table-settings.js";
