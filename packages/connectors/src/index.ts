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
  MysqlProbe,
  MysqlServerFacts,
  MysqlSource,
  OpenTransaction,
  SourceKeyDigests,
  SqlStatement,
  WaitingRows,
  WaitingRowsBound,
} from "./mysql/index.js";
export {
  checkReconcilableKey,
  mysqlKeyDigestSql,
  mysqlKeyText,
  mysqlLogicalType,
  openMysqlProbe,
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
