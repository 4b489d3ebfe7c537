export type {
  CapturedCeiling,
  CeilingRequest,
  ExtractObserver,
  InformationSchemaColumn,
  MysqlConnectionOptions,
  MysqlExtractOptions,
  MysqlSource,
  OpenTransaction,
  SqlStatement,
} from "./mysql/index.js";
export { mysqlLogicalType, openMysqlSource, parseMysqlUrl } from "./mysql/index.js";
export type { LakeLocation, LocalStoreOptions, S3StoreOptions } from "./object-store/index.js";
export {
  createLocalObjectStore,
  createS3ObjectStore,
  openObjectStore,
  parseLakeUrl,
} from "./object-store/index.js";
