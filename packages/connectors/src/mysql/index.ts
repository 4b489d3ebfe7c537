export type { SqlStatement } from "./keyset-query.js";
export type { CapturedCeiling, CeilingRequest, OpenTransaction } from "./mysql-ceiling.js";
export type { MysqlConnectionOptions } from "./mysql-connection-options.js";
export type { ExtractObserver } from "./mysql-extract.js";
export type {
  ExtractedThrough,
  KeyDigestOptions,
  MysqlKeyDigestSql,
  SourceKeyDigests,
} from "./mysql-key-digests.js";
export { checkReconcilableKey, mysqlKeyDigestSql, mysqlKeyText } from "./mysql-key-digests.js";
export type { InformationSchemaColumn } from "./mysql-logical-type.js";
export { mysqlLogicalType } from "./mysql-logical-type.js";
export type { MysqlProbe, MysqlServerFacts, WaitingRows, WaitingRowsBound } from "./mysql-probe.js";
export { openMysqlProbe } from "./mysql-probe.js";
export type { MysqlExtractOptions, MysqlSource } from "./mysql-source.js";
export { openMysqlSource } from "./mysql-source.js";
export { parseMysqlUrl } from "./mysql-url.js";
