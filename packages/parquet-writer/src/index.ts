// Public types use Node's Buffer/stream types: the reference is kept in index.d.ts so a
// consumer's tsc loads @types/node (a dependency) even when its tsconfig lists no types.
/// <reference types="node" preserve="true" />
export type { InvalidDatePolicy, NulInTextPolicy, TextByteLimit } from "./column-value-rules.js";
export { nulReplacement } from "./column-value-rules.js";
export type { CompressionThread, ParquetCompression } from "./page-compression.js";
export type { ParquetPartOptions, ParquetPartSummary, ParquetPartWriter } from "./parquet-part-writer.js";
export { createParquetPartWriter } from "./parquet-part-writer.js";
export { readParquetRowsAsText } from "./parquet-rows-reader.js";
export type { ParquetColumnDescription } from "./parquet-schema.js";
export { parquetSchemaFor } from "./parquet-schema.js";
export {
  createThreadedParquetPartWriter,
  prewarmPartWorker,
  releaseSparePartWorker,
} from "./threaded-part-writer.js";
