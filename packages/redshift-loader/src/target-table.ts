import { parseTableRef, type SluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { WarehouseTable } from "./sql-text.js";
import { explicitIdentifier, targetIdentifier } from "./target-names.js";
import { type DialectOrName, dialectOf } from "./warehouse-dialect.js";

/**
 * The warehouse table of a source table (`schema.table`), by the loader's rules:
 * the given target name and schema (checked identifiers), else the source's names
 * sanitised by `targetIdentifier`; the schema falls back to the connection's.
 */
export function resolveTargetTable(
  table: string,
  dialect: DialectOrName,
  given: { readonly targetSchema?: string; readonly targetName?: string; readonly connectionSchema?: string },
): Result<WarehouseTable, SluiceError> {
  const ref = parseTableRef(table);
  if (ref.isErr()) return err(ref.error);
  const sqlDialect = dialectOf(dialect);
  const givenSchema = given.targetSchema ?? given.connectionSchema;
  const schema =
    givenSchema === undefined
      ? ok(targetIdentifier(ref.value.schema, sqlDialect))
      : explicitIdentifier(`${table}: target schema`, givenSchema, sqlDialect);
  if (schema.isErr()) return err(schema.error);
  const name =
    given.targetName === undefined
      ? ok(targetIdentifier(ref.value.table, sqlDialect))
      : explicitIdentifier(`${table}: target name`, given.targetName, sqlDialect);
  if (name.isErr()) return err(name.error);
  return ok({ schema: schema.value, name: name.value });
}
