import { sql } from "kysely";
import { formatWarehouseTable } from "./sql-text.js";
import { postgresColumnType } from "./warehouse-column-type.js";
import type { WarehouseSqlDialect } from "./warehouse-dialect.js";
import { md5Digits } from "./warehouse-hash-sql.js";
import { standardTypeText } from "./warehouse-type.js";

/**
 * PostgreSQL (the `postgres://` target; also the local stand-in for Redshift). Each
 * member says why PostgreSQL needs its value; `redshiftDialect` says why Redshift
 * differs.
 */
export const postgresDialect: WarehouseSqlDialect = {
  name: "postgres",
  displayName: "PostgreSQL",

  // NAMEDATALEN - 1 (PostgreSQL "Identifiers and Key Words"): longer names are
  // silently truncated by the server, so sluice truncates first and can detect the
  // collisions that causes.
  maxIdentifierBytes: 63,
  // "numeric: up to 131072 digits before the decimal point"; a declared precision
  // may be at most 1000 (PostgreSQL "Numeric Types").
  maxDecimalPrecision: 1000,
  // MySQL strings land in `text` (up to 1 GB per value): nothing to cap at extract.
  maxTextBytes: null,

  columnType: (column) => postgresColumnType(column),
  // The catalog reports types in lower case with their precision (`timestamp(6)
  // without time zone`, `numeric(12,2)`), and timestamps keep the fractional digits
  // they declare, so the precision is part of the type.
  renderType(type) {
    const text =
      type.kind === "timestamp" || type.kind === "timestamptz"
        ? `${type.kind}(${type.precision})`
        : standardTypeText(type);
    return text.toLowerCase().replace(/^decimal/, "numeric");
  },

  // The SQL-standard catalog, which PostgreSQL implements for every table visible to
  // the user.
  catalogColumnsView: "information_schema.columns",

  // now(): the transaction's start time (PostgreSQL "Current Date/Time").
  now: "now()",
  // encode(bytes, 'hex') is documented to write lower-case digits
  // ("Binary String Functions"), as the source's canonical key text does.
  hexEncode: (binary) => sql`ENCODE(${binary}, 'hex')`,
  hexIsLowerCase: true,
  hexDecode: (text) => sql`DECODE(${text}, 'hex')`,
  // The "C" collation compares strcmp-style, byte by byte of the UTF-8 encoding.
  bytewiseText: (text) => sql`${text} COLLATE "C"`,
  // Deterministic collations (the default) never call two different strings equal,
  // so the key index serves point lookups and deletes.
  textEqualityIsExact: true,
  // No STRTOL: hex converts to an integer through a bit string ('x' || digits cast
  // to bit(60), then to bigint), summed as numeric.
  md5Number: (text) => sql`CAST(CAST(CAST('x' || ${md5Digits(text)} AS BIT(60)) AS BIGINT) AS NUMERIC)`,

  // Concurrent `CREATE ... IF NOT EXISTS` can fail on the catalog's unique index
  // (a known race), so first runs serialize on a transaction-level advisory lock.
  ddlLock: "SELECT pg_advisory_xact_lock(hashtext('sluice ddl'))",
  // An advisory lock on the table's name: it needs no table (taken before CREATE
  // TABLE IF NOT EXISTS, so concurrent first loads also serialize) and blocks no
  // reader, unlike LOCK TABLE's default ACCESS EXCLUSIVE mode.
  targetLock: (target) => ({
    sql: "SELECT pg_advisory_xact_lock(hashtext($1))",
    values: [`sluice load ${formatWarehouseTable(target)}`],
    needsTable: false,
  }),

  // PostgreSQL cannot read S3; the loader streams parts through COPY FROM STDIN,
  // which lets it add the row's position in the run (`_sluice_seq`).
  copyPath: "stdin",
  // CREATE TEMP TABLE ... ON COMMIT DROP: gone with the transaction, so a failed or
  // committed load leaves nothing behind in the session.
  dropsStagingAtCommit: true,
  // COPY FROM STDIN puts JSON text straight into a `json` column.
  stagesJsonAsText: false,
  // PostgreSQL DDL is transactional: ALTER COLUMN ... TYPE and DROP NOT NULL run
  // inside the load transaction and roll back with it.
  altersTypesInTransaction: true,
  // No distribution or sort keys: DISTSTYLE, SORTKEY and ENCODE are Redshift syntax.
  physicalDesign: false,
};
