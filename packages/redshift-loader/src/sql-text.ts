/** A table in the warehouse; `schema: null` for session-local temp tables. */
export interface WarehouseTable {
  readonly schema: string | null;
  readonly name: string;
}

/** `"name"` with embedded quotes doubled: every identifier we emit is quoted. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualifiedName(table: WarehouseTable): string {
  return table.schema === null
    ? quoteIdentifier(table.name)
    : `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
}

/**
 * `'text'` with quotes doubled. Callers only pass URIs, ARNs and option values we
 * validated, which never hold a backslash (Redshift treats it as an escape in some
 * literals), so no backslash handling is needed.
 */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function formatWarehouseTable(table: WarehouseTable): string {
  return table.schema === null ? table.name : `${table.schema}.${table.name}`;
}
