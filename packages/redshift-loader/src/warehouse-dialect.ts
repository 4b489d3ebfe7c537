import { type ColumnSpec, configError, type SluiceError, type SqlFragment } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import { postgresDialect } from "./postgres-dialect.js";
import { redshiftDialect } from "./redshift-dialect.js";
import type { WarehouseTable } from "./sql-text.js";
import type { WarehouseType } from "./warehouse-type.js";
import type { WarehouseDialect } from "./warehouse-url.js";

/** A statement that serializes loads of one target, run inside the load transaction. */
export interface TargetLock {
  readonly sql: string;
  /** `$n` parameters; empty when the statement has none. */
  readonly values: readonly string[];
  /**
   * True when the statement locks the table itself, so it can only run once the table
   * exists (after `CREATE TABLE IF NOT EXISTS`); false when it can run before.
   */
  readonly needsTable: boolean;
}

/**
 * Everything the loader does differently per warehouse, one member per real
 * difference; the code around it is the same for every warehouse. Each
 * implementation (`postgresDialect`, `redshiftDialect`) says on each member why its
 * warehouse needs that value. Code paths receive this object, never branch on the
 * dialect's name (ADR 0025). All SQL a member renders is byte-for-byte what the loader
 * sent before the object existed.
 */
export interface WarehouseSqlDialect {
  /** The name in `WarehouseConnection.dialect` and the URL scheme. */
  readonly name: WarehouseDialect;
  /** The warehouse's name in messages ("PostgreSQL", "Redshift"). */
  readonly displayName: string;

  /** Longest identifier in UTF-8 bytes; sluice truncates names to it itself. */
  readonly maxIdentifierBytes: number;
  /** Most digits a DECIMAL/NUMERIC column can declare; widening stops there. */
  readonly maxDecimalPrecision: number;
  /**
   * Longest text value, in bytes, that the warehouse's text column for a MySQL string
   * holds, when that is less than MySQL can send (the extract then caps or refuses
   * longer values before they reach the lake); null when every MySQL string fits.
   */
  readonly maxTextBytes: number | null;

  /**
   * DDL type of one source column. Throws a `config` SluiceError naming the column
   * when the warehouse cannot hold it exactly. `table` is for that message.
   */
  columnType(column: ColumnSpec, table: string): string;
  /** DDL text of a parsed type in the warehouse's spelling (compared with catalog text). */
  renderType(type: WarehouseType): string;

  /** The view `catalogColumnsSql` reads a table's columns from (information_schema shape). */
  readonly catalogColumnsView: string;

  /** SQL expression for the current time, usable in an INSERT into a user table. */
  readonly now: string;
  /** Hex text of a binary value. */
  hexEncode(binary: SqlFragment): SqlFragment;
  /** True when `hexEncode` is documented to produce lower-case digits; else checksums wrap it in LOWER. */
  readonly hexIsLowerCase: boolean;
  /** The binary value of hex text (a key bound from the source's canonical key text). */
  hexDecode(text: SqlFragment): SqlFragment;
  /** A text expression that orders by its UTF-8 bytes, as the source's key order does. */
  bytewiseText(text: SqlFragment): SqlFragment;
  /**
   * True when `=` on text is exact (no two different strings compare equal), so a key
   * lookup can compare the column itself and use its index; false compares
   * `bytewiseText` of both sides.
   */
  readonly textEqualityIsExact: boolean;
  /**
   * A text hashed to an exact number, the same number the source computes
   * (`mysqlMd5Number` in connectors): the first 15 hex digits (60 bits) of its MD5,
   * as an exact decimal that sums without overflow.
   */
  md5Number(text: SqlFragment): SqlFragment;

  /**
   * Statement taken first in the short transactions that create schemas and ledgers,
   * so concurrent first runs do not race on the catalog; null when none is needed.
   */
  readonly ddlLock: string | null;
  /** The lock a load (and a delete reconciliation) takes on its target table. */
  targetLock(target: WarehouseTable): TargetLock;

  /**
   * How staged Parquet parts reach the staging table:
   * - `lake-manifest`: the warehouse reads them from the lake itself (`COPY ... FROM
   *   's3://...manifest' FORMAT AS PARQUET MANIFEST`, an IAM role required), mapping
   *   Parquet columns to staging columns by position; so the Parquet contract is
   *   checked first and staging carries only the run's columns (ties between rows of
   *   one key with equal cursors are then broken arbitrarily).
   * - `stdin`: the loader downloads each part and streams its rows through `COPY ...
   *   FROM STDIN`, adding `_sluice_seq` (the row's position in the run), which staging
   *   carries and the merge orders by to break those ties.
   */
  readonly copyPath: "lake-manifest" | "stdin";
  /** True when the staging table is created `ON COMMIT DROP`; false drops it before COMMIT. */
  readonly dropsStagingAtCommit: boolean;
  /** True when JSON is staged as VARCHAR text and parsed (`JSON_PARSE`) in the merge. */
  readonly stagesJsonAsText: boolean;
  /**
   * True when `ALTER COLUMN ... TYPE` and `DROP NOT NULL` run inside the load
   * transaction. False: VARCHAR columns are widened in place before the transaction
   * and any other type change or NOT NULL relaxation rebuilds the table inside it.
   */
  readonly altersTypesInTransaction: boolean;
  /**
   * True when tables have a physical design (DISTSTYLE/DISTKEY, SORTKEY, column
   * ENCODE) for `CREATE TABLE` to write; false leaves those options out of the DDL
   * (they are still checked against the table's columns).
   */
  readonly physicalDesign: boolean;
}

/**
 * A dialect object, or the name of a built-in one: what the package's exported
 * functions accept, so callers holding a `WarehouseConnection` can pass its `dialect`.
 */
export type DialectOrName = WarehouseSqlDialect | WarehouseDialect;

const builtIn: Readonly<Record<WarehouseDialect, WarehouseSqlDialect>> = {
  postgres: postgresDialect,
  redshift: redshiftDialect,
};

/**
 * The built-in dialect of a name, or a `config` error for a name that is not one (a
 * JavaScript caller or an unchecked config can pass any string). For entry points
 * that return a Result.
 */
export function findDialect(name: string): Result<WarehouseSqlDialect, SluiceError> {
  const found = Object.hasOwn(builtIn, name) ? builtIn[name as WarehouseDialect] : undefined;
  if (found !== undefined) return ok(found);
  return err(
    configError(
      `warehouse dialect "${name}" is not known; use one of ${Object.keys(builtIn).join(", ")} (URL scheme postgres:// or redshift://)`,
    ),
  );
}

/**
 * The dialect object of a warehouse name (`WarehouseConnection.dialect`); an object is
 * returned as it is. Throws `findDialect`'s `config` SluiceError for an unknown name.
 */
export function dialectOf(dialect: DialectOrName): WarehouseSqlDialect {
  if (typeof dialect !== "string") return dialect;
  const found = findDialect(dialect);
  if (found.isErr()) throw found.error;
  return found.value;
}

/** The warehouse type of one column (`dialect.columnType`); see `WarehouseSqlDialect`. */
export function warehouseColumnType(dialect: DialectOrName, column: ColumnSpec, table: string): string {
  return dialectOf(dialect).columnType(column, table);
}

/** DDL text of a type in the dialect's spelling (`dialect.renderType`). */
export function renderWarehouseType(type: WarehouseType, dialect: DialectOrName): string {
  return dialectOf(dialect).renderType(type);
}
