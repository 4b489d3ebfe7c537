import { err, ok, type Result } from "neverthrow";
import { configError, type SluiceError } from "./errors.js";

/** A source table, always schema-qualified: MySQL has no default schema we could trust. */
export interface TableRef {
  readonly schema: string;
  readonly table: string;
}

const identifierPattern = /^[A-Za-z0-9_$]+$/;

/** Parses `schema.table` as typed by an operator. */
export function parseTableRef(text: string): Result<TableRef, SluiceError> {
  const parts = text.split(".");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    return err(
      configError(`table "${text}" is not schema-qualified; write it as schema.table, e.g. shop.settlement`),
    );
  }
  const [schema, table] = parts as [string, string];
  for (const name of [schema, table]) {
    if (!identifierPattern.test(name)) {
      return err(
        configError(`table "${text}": "${name}" contains characters other than letters, digits, _ and $`),
      );
    }
  }
  return ok({ schema, table });
}

/** `schema.table`, the form used in logs, object keys and watermark names. */
export function formatTableRef(ref: TableRef): string {
  return `${ref.schema}.${ref.table}`;
}
