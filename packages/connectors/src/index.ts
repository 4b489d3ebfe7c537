export type {
  InformationSchemaColumn,
  LazyMysqlSource,
  MysqlConnectionOptions,
  MysqlExtractOptions,
  MysqlKeyDigestSql,
  MysqlProbe,
  MysqlServerFacts,
  MysqlSource,
  SqlStatement,
  WaitingRows,
  WaitingRowsBound,
} from "./mysql/index.js";
export {
  checkReconcilableKey,
  createMysqlSource,
  mysqlKeyDigestSql,
  mysqlKeyText,
  mysqlLogicalType,
  mysqlSourceRecipe,
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
