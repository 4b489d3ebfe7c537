/**
 * A warehouse column type in a form that can be compared: parsed from the DDL text
 * sluice renders (`warehouseColumnType`) and from the catalog of an existing table, so
 * both sides of the pre-flight check speak the same language.
 * `length` / `precision`: null means unbounded (PostgreSQL `varchar`, `numeric`).
 */
export type WarehouseType =
  | { readonly kind: "smallint" | "integer" | "bigint" }
  | { readonly kind: "decimal"; readonly precision: number | null; readonly scale: number }
  | { readonly kind: "real" | "double" | "boolean" | "date" | "super" | "json" | "bytea" | "text" }
  /** `precision`: fractional second digits; Redshift always keeps 6. */
  | { readonly kind: "timestamp" | "timestamptz"; readonly precision: number }
  | { readonly kind: "varchar" | "char" | "varbyte"; readonly length: number | null }
  | { readonly kind: "other"; readonly text: string };

const integerDigits = { smallint: 4, integer: 9, bigint: 18 } as const;
/** Decimal integer digits needed to hold every value of an integer type. */
const integerWidth = { smallint: 5, integer: 10, bigint: 19 } as const;
const integerRank = { smallint: 1, integer: 2, bigint: 3 } as const;

/**
 * Parses a type as written in DDL or reported by a catalog (`character varying(40)`,
 * `numeric(12,2)`, `timestamp(6) without time zone`, `VARBYTE(16)`, `int8`, ...).
 * Unknown types come back as `other` and only ever match themselves.
 */
export function parseWarehouseType(text: string): WarehouseType {
  const normalised = text.trim().toLowerCase().replace(/\s+/g, " ");
  const match =
    /^([a-z][a-z0-9_ ]*?)\s*(?:\((\d+)(?:\s*,\s*(\d+))?\))?( with time zone| without time zone)?$/.exec(
      normalised,
    );
  if (!match) return { kind: "other", text: normalised };
  const name = match[1] ?? "";
  const first = match[2] === undefined ? null : Number(match[2]);
  const second = match[3] === undefined ? null : Number(match[3]);
  const zone = match[4];
  switch (name) {
    case "smallint":
    case "int2":
      return { kind: "smallint" };
    case "integer":
    case "int":
    case "int4":
      return { kind: "integer" };
    case "bigint":
    case "int8":
      return { kind: "bigint" };
    case "numeric":
    case "decimal":
      return { kind: "decimal", precision: first, scale: second ?? 0 };
    case "real":
    case "float4":
      return { kind: "real" };
    case "double precision":
    case "float8":
    case "float":
      return { kind: "double" };
    case "boolean":
    case "bool":
      return { kind: "boolean" };
    case "date":
      return { kind: "date" };
    case "timestamp":
      return { kind: zone === " with time zone" ? "timestamptz" : "timestamp", precision: first ?? 6 };
    case "timestamptz":
      return { kind: "timestamptz", precision: first ?? 6 };
    case "character varying":
    case "varchar":
    case "nvarchar":
      return { kind: "varchar", length: first };
    case "character":
    case "char":
    case "bpchar":
    case "nchar":
      return { kind: "char", length: first ?? 1 };
    case "text":
      return { kind: "text" };
    case "varbyte":
    case "varbinary":
    case "binary varying":
      return { kind: "varbyte", length: first };
    case "bytea":
      return { kind: "bytea" };
    case "super":
      return { kind: "super" };
    case "json":
    case "jsonb":
      return { kind: "json" };
    default:
      return { kind: "other", text: normalised };
  }
}

/**
 * DDL text of a type in upper case, timestamps without a precision: Redshift's
 * spelling (its TIMESTAMP/TIMESTAMPTZ always keep 6 digits and take no modifier), the
 * base the PostgreSQL dialect lowers and adds the precision to. Each dialect's
 * `renderType` starts here, so both spell the families the same way.
 */
export function standardTypeText(type: WarehouseType): string {
  switch (type.kind) {
    case "decimal":
      return type.precision === null ? "NUMERIC" : `DECIMAL(${type.precision},${type.scale})`;
    case "double":
      return "DOUBLE PRECISION";
    case "varchar":
    case "char":
    case "varbyte":
      return type.length === null ? type.kind.toUpperCase() : `${type.kind.toUpperCase()}(${type.length})`;
    case "other":
      return type.text;
    default:
      return type.kind.toUpperCase();
  }
}

/** Integer digits (left of the point) a type can hold, for the exact numeric family. */
function integerPart(type: WarehouseType): number | null {
  if (type.kind === "smallint" || type.kind === "integer" || type.kind === "bigint")
    return integerWidth[type.kind];
  if (type.kind === "decimal") return type.precision === null ? null : type.precision - type.scale;
  return null;
}

const isExactNumeric = (type: WarehouseType) =>
  type.kind === "smallint" || type.kind === "integer" || type.kind === "bigint" || type.kind === "decimal";
const isText = (type: WarehouseType) => type.kind === "varchar" || type.kind === "text";
const isBinary = (type: WarehouseType) => type.kind === "varbyte" || type.kind === "bytea";

/** True when every value of `needed` fits `target` exactly (no rounding, no truncation). */
export function typeHolds(target: WarehouseType, needed: WarehouseType): boolean {
  if (isExactNumeric(target) && isExactNumeric(needed)) {
    if (target.kind === "decimal") {
      if (target.precision === null) return true;
      const scale = needed.kind === "decimal" ? needed.scale : 0;
      const neededInteger = integerPart(needed);
      return (
        neededInteger !== null && target.scale >= scale && target.precision - target.scale >= neededInteger
      );
    }
    const targetKind = target.kind as keyof typeof integerRank;
    if (needed.kind === "decimal") {
      return needed.scale === 0 && needed.precision !== null && needed.precision <= integerDigits[targetKind];
    }
    return integerRank[targetKind] >= integerRank[needed.kind as keyof typeof integerRank];
  }
  if (target.kind === "double") return needed.kind === "double" || needed.kind === "real";
  if (isText(target) && isText(needed)) {
    if (target.kind === "text") return true;
    const targetLength = (target as { length: number | null }).length;
    const neededLength = needed.kind === "varchar" ? needed.length : null;
    return targetLength === null || (neededLength !== null && neededLength <= targetLength);
  }
  if (isBinary(target) && isBinary(needed)) {
    if (target.kind === "bytea") return true;
    const targetLength = (target as { length: number | null }).length;
    const neededLength = needed.kind === "varbyte" ? needed.length : null;
    return targetLength === null || (neededLength !== null && neededLength <= targetLength);
  }
  if (target.kind === "char" && needed.kind === "char") return (target.length ?? 1) >= (needed.length ?? 1);
  if ((target.kind === "timestamp" || target.kind === "timestamptz") && needed.kind === target.kind) {
    return target.precision >= needed.precision;
  }
  if (target.kind === "other" || needed.kind === "other") {
    return (
      target.kind === needed.kind && (target as { text: string }).text === (needed as { text: string }).text
    );
  }
  return target.kind === needed.kind;
}

/**
 * The narrowest type holding every value of both, or null when the change cannot be
 * made by widening (a different family, e.g. VARCHAR -> INTEGER, or a DECIMAL that
 * would need more than `maxDecimalPrecision` digits).
 */
export function widenedType(
  target: WarehouseType,
  needed: WarehouseType,
  maxDecimalPrecision: number,
): WarehouseType | null {
  if (typeHolds(target, needed)) return target;
  if (typeHolds(needed, target)) return needed;
  if (isExactNumeric(target) && isExactNumeric(needed)) {
    // Neither holds the other: at least one is a DECIMAL with a scale.
    const scale = Math.max(
      target.kind === "decimal" ? target.scale : 0,
      needed.kind === "decimal" ? needed.scale : 0,
    );
    const integer = Math.max(integerPart(target) ?? 0, integerPart(needed) ?? 0);
    if (integer + scale > maxDecimalPrecision) return null;
    return { kind: "decimal", precision: integer + scale, scale };
  }
  if (target.kind === "timestamp" || target.kind === "timestamptz") {
    return needed.kind === target.kind
      ? { kind: target.kind, precision: Math.max(target.precision, needed.precision) }
      : null;
  }
  return null;
}
