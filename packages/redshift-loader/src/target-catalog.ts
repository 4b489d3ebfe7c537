import type pg from "pg";
import type { WarehouseTable } from "./sql-text.js";
import { type DialectOrName, dialectOf, type WarehouseSqlDialect } from "./warehouse-dialect.js";
import { parseWarehouseType, type WarehouseType } from "./warehouse-type.js";

/** One column of an existing target table, as its catalog describes it. */
export interface CatalogColumn {
  readonly name: string;
  /** 1-based position in the table. */
  readonly position: number;
  readonly type: WarehouseType;
  /** The catalog's own words, for messages (`character varying(40)`). */
  readonly typeText: string;
  readonly nullable: boolean;
}

/**
 * Catalog query of the dialect's `catalogColumnsView` (PostgreSQL
 * `information_schema.columns`, Redshift `SVV_COLUMNS`), both answering (name,
 * position, data_type, lengths, nullability) in information_schema shape.
 */
export function catalogColumnsSql(dialect: DialectOrName): string {
  const view = dialectOf(dialect).catalogColumnsView;
  return [
    "SELECT column_name, ordinal_position, data_type, character_maximum_length,",
    "  numeric_precision, numeric_scale, datetime_precision, is_nullable",
    `FROM ${view}`,
    "WHERE table_schema = $1 AND table_name = $2",
    "ORDER BY ordinal_position",
  ].join("\n");
}

interface CatalogRow {
  column_name: string;
  ordinal_position: number | string;
  data_type: string;
  character_maximum_length: number | string | null;
  numeric_precision: number | string | null;
  numeric_scale: number | string | null;
  datetime_precision: number | string | null;
  is_nullable: string;
}

/** The target's columns in table order, or null when the table does not exist. */
export async function readCatalogColumns(
  client: pg.Client,
  dialect: WarehouseSqlDialect,
  target: WarehouseTable,
): Promise<CatalogColumn[] | null> {
  const result = await client.query<CatalogRow>(catalogColumnsSql(dialect), [
    target.schema ?? "public",
    target.name,
  ]);
  if (result.rows.length === 0) return null;
  return result.rows.map((row) => {
    const typeText = describeCatalogType(row);
    return {
      name: row.column_name,
      position: Number(row.ordinal_position),
      type: parseWarehouseType(typeText),
      typeText,
      nullable: row.is_nullable.toUpperCase() === "YES",
    };
  });
}

const asNumber = (value: number | string | null) => (value === null ? null : Number(value));

/** Rebuilds DDL-like text (`numeric(12,2)`) from information_schema's split fields. */
function describeCatalogType(row: CatalogRow): string {
  const type = row.data_type.toLowerCase();
  const length = asNumber(row.character_maximum_length);
  if (type === "character varying" || type === "character" || type === "binary varying" || type === "varbyte")
    return length === null ? type : `${type}(${length})`;
  if (type === "numeric" || type === "decimal") {
    const precision = asNumber(row.numeric_precision);
    return precision === null ? type : `${type}(${precision},${asNumber(row.numeric_scale) ?? 0})`;
  }
  if (type.startsWith("timestamp")) {
    const precision = asNumber(row.datetime_precision);
    const zone = type.includes("with time zone") && !type.includes("without") ? "with" : "without";
    return `timestamp(${precision ?? 6}) ${zone} time zone`;
  }
  return type;
}
