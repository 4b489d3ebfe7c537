import { sql } from "kysely";
import { qualifiedName } from "./sql-text.js";
import {
  redshiftColumnType,
  redshiftMaxDecimalPrecision,
  redshiftMaxVarcharBytes,
} from "./warehouse-column-type.js";
import type { WarehouseSqlDialect } from "./warehouse-dialect.js";
import { md5Digits } from "./warehouse-hash-sql.js";
import { standardTypeText } from "./warehouse-type.js";

/**
 * Amazon Redshift (the `redshift://` target). Each member says why Redshift needs its
 * value, citing the AWS Redshift Database Developer Guide page; `postgresDialect`
 * holds the PostgreSQL side.
 */
export const redshiftDialect: WarehouseSqlDialect = {
  name: "redshift",
  displayName: "Redshift",

  // "Names and identifiers": standard identifiers are 1 to 127 bytes.
  maxIdentifierBytes: 127,
  // "Numeric types": DECIMAL precision is at most 38.
  maxDecimalPrecision: redshiftMaxDecimalPrecision,
  // "Character types": VARCHAR holds at most 65,535 bytes, and COPY from Parquet cannot
  // truncate (TRUNCATECOLUMNS is not accepted with FORMAT AS PARQUET), so longer
  // values are capped or refused at extract.
  maxTextBytes: redshiftMaxVarcharBytes,

  columnType: (column, table) => redshiftColumnType(column, table),
  // Upper case as sluice writes its DDL; "Datetime types": TIMESTAMP and TIMESTAMPTZ
  // always keep 6 fractional digits and take no precision.
  renderType: (type) => standardTypeText(type),

  // "SVV_COLUMNS": catalog information about the columns of local and external tables
  // and views, in information_schema's column set. Not PG_TABLE_DEF, which lists only
  // tables in schemas on the search_path.
  catalogColumnsView: "svv_columns",

  // "Leader node-only functions": NOW is deprecated and leader-node only, so an INSERT
  // into a user table (the ledger) cannot call it; GETDATE ("GETDATE function") can.
  now: "GETDATE()",
  // "FROM_VARBYTE function" with 'hex'. Its letter case is not documented (the examples
  // are digits only), so checksums wrap it in LOWER.
  hexEncode: (binary) => sql`FROM_VARBYTE(${binary}, 'hex')`,
  hexIsLowerCase: false,
  // "TO_VARBYTE function" with 'hex'; PostgreSQL's DECODE does not exist here.
  hexDecode: (text) => sql`TO_VARBYTE(${text}, 'hex')`,
  // No COLLATE "C"; VARBYTE values compare byte by byte ("VARBYTE operators"), so the
  // UTF-8 bytes of the text order as the source's key order does.
  bytewiseText: (text) => sql`TO_VARBYTE(${text}, 'utf8')`,
  // A database or column can be created COLLATE CASE_INSENSITIVE ("CREATE DATABASE",
  // "COLLATE function"), where 'john' = 'JOHN'; a key lookup must not match another
  // key, so equality compares bytes too.
  textEqualityIsExact: false,
  // "STRTOL function" converts base-16 text to a BIGINT; Redshift has no bit-string
  // casts (PostgreSQL's route). Summed as DECIMAL(38,0), Redshift's widest exact type.
  md5Number: (text) => sql`CAST(STRTOL(${md5Digits(text)}, 16) AS DECIMAL(38,0))`,

  // No advisory lock functions exist in Redshift (ADR 0005), and nothing else can be
  // locked before the schema or ledger table exists: first runs rely on IF NOT EXISTS.
  ddlLock: null,
  // "LOCK": an exclusive lock on the table until the transaction ends, so loads (and
  // delete reconciliations) of one target run one at a time. It needs the table, so
  // the load takes it right after CREATE TABLE IF NOT EXISTS.
  targetLock: (target) => ({ sql: `LOCK ${qualifiedName(target)}`, values: [], needsTable: true }),

  // "COPY from columnar data formats": the cluster reads the Parquet parts from S3 by
  // a manifest with an IAM role, and maps their columns to the table's by position
  // (the counts must match: staging can carry no extra `_sluice_seq`).
  copyPath: "lake-manifest",
  // "CREATE TABLE" has no ON COMMIT clause: a temporary table lives until the session
  // ends, so the loader drops staging itself before COMMIT (the session loads on).
  dropsStagingAtCommit: false,
  // "Loading semistructured data": COPY puts a Parquet string into a SUPER column as a
  // string scalar (SERIALIZETOJSON only serializes nested Parquet types), so JSON is
  // staged as VARCHAR and parsed by JSON_PARSE in the merge.
  stagesJsonAsText: true,
  // "ALTER TABLE": ALTER COLUMN ... TYPE works for VARCHAR only and not inside a
  // transaction block, and there is no ALTER COLUMN ... DROP NOT NULL.
  altersTypesInTransaction: false,
  // "CREATE TABLE" table attributes: DISTSTYLE/DISTKEY, [INTERLEAVED] SORTKEY, ENCODE.
  physicalDesign: true,
};
