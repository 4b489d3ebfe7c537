import type { ColumnSpec, IndexSpec, SluiceError, TableRef, TableSpec } from "@sluice/core";
import { closeMatches, formatTableRef, sluiceError } from "@sluice/core";
import { type InformationSchemaColumn, mysqlLogicalType } from "./mysql-logical-type.js";

/** Runs one metadata query, rows as objects keyed by the selected aliases. */
export type MetadataQuery = (sql: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Reads a table's shape from information_schema (COLUMNS, STATISTICS and, on MariaDB,
 * CHECK_CONSTRAINTS to recognise JSON). Throws a SluiceError for an unknown schema or
 * table (not_found, with close matches) and for a column type sluice cannot carry.
 */
export async function describeMysqlTable(
  query: MetadataQuery,
  ref: TableRef,
  mariadb: boolean,
): Promise<TableSpec> {
  const table = formatTableRef(ref);
  const columnRows = await query(
    `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable,
            CHARACTER_OCTET_LENGTH AS octetLength, NUMERIC_PRECISION AS numericPrecision,
            NUMERIC_SCALE AS numericScale, DATETIME_PRECISION AS datetimePrecision, EXTRA AS extra
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
      ORDER BY ORDINAL_POSITION`,
    [ref.schema, ref.table],
  );
  if (columnRows.length === 0) throw await notFound(query, ref);

  const jsonColumns = mariadb ? await mariadbJsonColumns(query, ref) : new Set<string>();
  const columns = columnRows.map((row): ColumnSpec => {
    const source: InformationSchemaColumn = {
      name: String(row.name),
      dataType: String(row.dataType),
      columnType: String(row.columnType),
      nullable: row.nullable === "YES",
      octetLength: numberOrNull(row.octetLength),
      numericPrecision: numberOrNull(row.numericPrecision),
      numericScale: numberOrNull(row.numericScale),
      datetimePrecision: numberOrNull(row.datetimePrecision),
      extra: String(row.extra ?? ""),
      jsonCheck: jsonColumns.has(String(row.name)),
    };
    const logical = mysqlLogicalType(source);
    if (!logical) {
      throw sluiceError(
        "schema",
        `${table}.${source.name} has type ${source.columnType}, which sluice cannot copy; drop or convert the column, or copy a view that casts it to text`,
      );
    }
    const onUpdate = /on update current_timestamp/i.test(source.extra);
    return {
      name: source.name,
      sourceType: source.columnType,
      logical,
      nullable: source.nullable,
      ...(onUpdate ? { onUpdateCurrentTimestamp: true } : {}),
    };
  });

  const indexRows = await query(
    `SELECT INDEX_NAME AS indexName, COLUMN_NAME AS columnName, NON_UNIQUE AS nonUnique
       FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
      ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [ref.schema, ref.table],
  );
  const byName = new Map<string, { columns: string[]; unique: boolean }>();
  for (const row of indexRows) {
    const name = String(row.indexName);
    const entry = byName.get(name) ?? { columns: [], unique: Number(row.nonUnique) === 0 };
    entry.columns.push(String(row.columnName));
    byName.set(name, entry);
  }
  const indexes: IndexSpec[] = [...byName].map(([name, entry]) => ({ name, ...entry }));
  return { ref, columns, primaryKey: byName.get("PRIMARY")?.columns ?? [], indexes };
}

/** MariaDB's JSON is LONGTEXT with a column CHECK `json_valid(col)` named after the column. */
async function mariadbJsonColumns(query: MetadataQuery, ref: TableRef): Promise<Set<string>> {
  const rows = await query(
    `SELECT CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause
       FROM information_schema.CHECK_CONSTRAINTS
      WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?`,
    [ref.schema, ref.table],
  );
  const found = new Set<string>();
  for (const row of rows) {
    const match = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(row.clause).trim());
    if (match?.[1]) found.add(match[1].replaceAll("``", "`"));
  }
  return found;
}

async function notFound(query: MetadataQuery, ref: TableRef): Promise<SluiceError> {
  const schemas = (await query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA", [])).map(
    (row) => String(row.name),
  );
  if (!schemas.includes(ref.schema)) {
    const near = closeMatches(ref.schema, schemas);
    return sluiceError(
      "not_found",
      `schema ${ref.schema} does not exist (or is not visible to this user)${near.length ? `; did you mean ${near.join(", ")}?` : ""}`,
    );
  }
  const tables = (
    await query("SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?", [
      ref.schema,
    ])
  ).map((row) => String(row.name));
  const near = closeMatches(ref.table, tables);
  return sluiceError(
    "not_found",
    `table ${formatTableRef(ref)} does not exist (or is not visible to this user)${near.length ? `; close matches in ${ref.schema}: ${near.join(", ")}` : `; ${ref.schema} has ${tables.length} table(s), none with a similar name`}`,
  );
}

function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}
