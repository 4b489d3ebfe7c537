import type { LogicalType } from "@sluice/core";

/** One row of information_schema.COLUMNS, the fields the mapping reads. */
export interface InformationSchemaColumn {
  readonly name: string;
  /** DATA_TYPE, lower case: `int`, `varchar`, `decimal`, ... */
  readonly dataType: string;
  /** COLUMN_TYPE: `int(10) unsigned`, `enum('a','b')`, ... */
  readonly columnType: string;
  readonly nullable: boolean;
  /** CHARACTER_OCTET_LENGTH: declared characters x bytes per character of the column's charset. */
  readonly octetLength: number | null;
  readonly numericPrecision: number | null;
  readonly numericScale: number | null;
  readonly datetimePrecision: number | null;
  readonly extra: string;
  /** MariaDB stores JSON as LONGTEXT plus a CHECK (json_valid(col)); the caller detects that. */
  readonly jsonCheck: boolean;
}

const integerBits: Readonly<Record<string, 8 | 16 | 32 | 64>> = {
  tinyint: 8,
  smallint: 16,
  // MEDIUMINT is 24 bits; the next logical width that holds it.
  mediumint: 32,
  int: 32,
  integer: 32,
  bigint: 64,
};

const textTypes = new Set(["char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"]);
const binaryTypes = new Set(["binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"]);
export const spatialTypes = new Set([
  "geometry",
  "point",
  "linestring",
  "polygon",
  "multipoint",
  "multilinestring",
  "multipolygon",
  "geometrycollection",
  "geomcollection",
]);
/** MariaDB's own text-rendered types: the server sends their text form. */
const mariadbTextual: Readonly<Record<string, number>> = { uuid: 36, inet4: 15, inet6: 39 };

/**
 * MySQL type -> logical type, or null when sluice cannot carry the type.
 *
 * TINYINT(1) stays an 8-bit integer: information_schema cannot tell `BOOLEAN` from a
 * TINYINT(1) declared on purpose, and legacy schemas keep small codes (0..9) in
 * TINYINT(1) columns, which a boolean mapping would corrupt.
 * ENUM and SET travel as their text. Spatial columns are read as WKB (`ST_AsBinary`).
 */
export function mysqlLogicalType(column: InformationSchemaColumn): LogicalType | null {
  const type = column.dataType.toLowerCase();
  const unsigned = /\bunsigned\b/i.test(column.columnType);
  const bits = integerBits[type];
  if (bits !== undefined) return { kind: "integer", bits, unsigned };
  switch (type) {
    case "decimal":
    case "numeric":
    case "fixed":
      return { kind: "decimal", precision: column.numericPrecision ?? 10, scale: column.numericScale ?? 0 };
    case "float":
      return { kind: "float" };
    case "double":
    case "real":
    case "double precision":
      return { kind: "double" };
    case "date":
      return { kind: "date" };
    case "datetime":
      return { kind: "datetime", fsp: column.datetimePrecision ?? 0 };
    case "timestamp":
      return { kind: "timestamp", fsp: column.datetimePrecision ?? 0 };
    case "time":
      return { kind: "time", fsp: column.datetimePrecision ?? 0 };
    case "year":
      return { kind: "year" };
    case "json":
      return { kind: "json" };
    case "bit":
      return { kind: "bit", width: column.numericPrecision ?? 1 };
  }
  if (textTypes.has(type)) {
    if (type === "longtext" && column.jsonCheck) return { kind: "json" };
    return { kind: "string", maxBytes: column.octetLength };
  }
  if (binaryTypes.has(type)) return { kind: "binary", maxBytes: column.octetLength };
  if (spatialTypes.has(type)) return { kind: "binary", maxBytes: null };
  const textual = mariadbTextual[type];
  if (textual !== undefined) return { kind: "string", maxBytes: textual };
  return null;
}
