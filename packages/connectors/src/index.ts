export type {
  CapturedCeiling,
  CeilingRequest,
  ExtractedThrough,
  ExtractObserver,
  InformationSchemaColumn,
  KeyDigestOptions,
  MysqlConnectionOptions,
  MysqlExtractOptions,
  MysqlKeyDigestSql,
  MysqlSource,
  OpenTransaction,
  SourceKeyDigests,
  SqlStatement,
} from "./mysql/index.js";
export {
  checkReconcilableKey,
  mysqlKeyDigestSql,
  mysqlKeyText,
  mysqlLogicalType,
  openMysqlSource,
  parseMysqlUrl,
} from "./mysql/index.js";
export type { LakeLocation, LocalStoreOptions, S3StoreOptions } from "./object-store/index.js";
export {
  createLocalObjectStore,
  createS3ObjectStore,
  openObjectStore,
  parseLakeUrl,
} from "./object-store/index.js";
