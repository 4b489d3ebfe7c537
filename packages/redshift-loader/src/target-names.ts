import { type ColumnSpec, configError, type SluiceError, sluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import { type DialectOrName, dialectOf } from "./warehouse-dialect.js";
import type { WarehouseDialect } from "./warehouse-url.js";

/**
 * Longest identifier in bytes (UTF-8) per built-in dialect, kept for callers of 0.1:
 * each dialect's `maxIdentifierBytes` is the source (and says why).
 */
export const maxIdentifierBytes: Readonly<Record<WarehouseDialect, number>> = {
  redshift: dialectOf("redshift").maxIdentifierBytes,
  postgres: dialectOf("postgres").maxIdentifierBytes,
};

/**
 * PostgreSQL system column names, which neither Redshift nor PostgreSQL accept as
 * user column names, even quoted.
 */
const systemColumnNames = new Set(["oid", "tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"]);

/** Columns the loader adds to its own staging tables; a source column may not take them. */
const reservedForSluice = /^_sluice_/;

const encoder = new TextEncoder();

/**
 * The warehouse name of a source identifier, following Redshift's rules for standard
 * identifiers so the name never needs quoting except for reserved words:
 * 1. ASCII letters fold to lower case (Redshift folds them even when quoted).
 * 2. Characters other than ASCII letters, digits, `_`, `$` and printable multibyte
 *    UTF-8 characters become `_`.
 * 3. A name that would start with a digit or `$` (or is a system column name such as
 *    `oid`) becomes `col_<name>`.
 * 4. The result is cut to the dialect's byte limit at a character boundary.
 * Reserved words (`order`, `group`, `user`, ...) are kept: sluice quotes every
 * identifier it writes, which Redshift documents as the way to use them.
 */
export function targetIdentifier(sourceName: string, dialect: DialectOrName): string {
  let name = "";
  for (const character of sourceName) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x80) {
      name += /[A-Za-z0-9_$]/.test(character) ? character.toLowerCase() : "_";
    } else {
      // Multibyte characters are valid; control and format characters are not printable.
      name += /\p{C}/u.test(character) ? "_" : character;
    }
  }
  if (name === "" || /^[0-9$]/.test(name) || systemColumnNames.has(name)) name = `col_${name}`;
  return truncateToBytes(name, dialectOf(dialect).maxIdentifierBytes);
}

function truncateToBytes(name: string, limit: number): string {
  if (encoder.encode(name).length <= limit) return name;
  let result = "";
  let bytes = 0;
  for (const character of name) {
    const size = encoder.encode(character).length;
    if (bytes + size > limit) break;
    result += character;
    bytes += size;
  }
  return result;
}

/**
 * A name the operator gave (`--target-name`, `--target-schema`): ASCII letters fold to
 * lower case as Redshift does; anything that is not already a valid standard identifier
 * is refused with the sanitised form as the suggestion, so a typo never silently
 * becomes a different table.
 */
export function explicitIdentifier(
  what: string,
  given: string,
  dialect: DialectOrName,
): Result<string, SluiceError> {
  const { displayName, maxIdentifierBytes: maxBytes } = dialectOf(dialect);
  const folded = given.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  const sanitised = targetIdentifier(given, dialect);
  if (folded !== sanitised) {
    return err(
      configError(
        `${what} "${given}" is not a valid ${displayName} identifier (letters, digits, _ and $, not starting with a digit, at most ${maxBytes} bytes); use "${sanitised}"`,
      ),
    );
  }
  return ok(folded);
}

/** One column of a run, with the name it has in the warehouse. */
export interface TargetColumnName {
  readonly source: ColumnSpec;
  readonly target: string;
}

/**
 * Maps every column of a run to its warehouse name (see `targetIdentifier`) and refuses
 * two source columns that end up with the same name (`Name` and `name`, `a-b` and
 * `a_b`, or two long names equal in their first 127 bytes), naming both.
 */
export function mapColumnNames(
  table: string,
  columns: readonly ColumnSpec[],
  dialect: DialectOrName,
): Result<readonly TargetColumnName[], SluiceError> {
  const sqlDialect = dialectOf(dialect);
  const seen = new Map<string, string>();
  const mapped: TargetColumnName[] = [];
  for (const column of columns) {
    const target = targetIdentifier(column.name, sqlDialect);
    const earlier = seen.get(target);
    if (earlier !== undefined) {
      return err(
        sluiceError(
          "schema",
          `${table}: source columns "${earlier}" and "${column.name}" both become "${target}" in the warehouse (names fold to lower case, other characters become _, at most ${sqlDialect.maxIdentifierBytes} bytes); rename one of them in MySQL`,
        ),
      );
    }
    if (reservedForSluice.test(target)) {
      return err(
        sluiceError(
          "schema",
          `${table}: source column "${column.name}" becomes "${target}", a name sluice reserves for its staging tables (_sluice_*); rename it in MySQL`,
        ),
      );
    }
    seen.set(target, column.name);
    mapped.push({ source: column, target });
  }
  return ok(mapped);
}
