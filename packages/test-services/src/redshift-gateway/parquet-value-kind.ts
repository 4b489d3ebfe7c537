import type { SchemaElement } from "hyparquet";
import type { ParquetColumn } from "./parquet-file.js";

/** What a Parquet column holds, from its physical type and annotations. */
export type ParquetValueKind =
  | { readonly kind: "boolean" }
  | { readonly kind: "integer"; readonly bits: 32 | 64; readonly unsigned: boolean }
  | {
      readonly kind: "decimal";
      readonly precision: number;
      readonly scale: number;
      readonly physical: string;
      readonly typeLength: number | null;
    }
  | { readonly kind: "date" }
  | { readonly kind: "timestamp"; readonly unit: "MILLIS" | "MICROS" | "NANOS" | "INT96" }
  | { readonly kind: "time" }
  | { readonly kind: "float" }
  | { readonly kind: "double" }
  | { readonly kind: "string"; readonly json: boolean }
  | { readonly kind: "binary" }
  | { readonly kind: "nested" };

export function parquetValueKind(column: ParquetColumn): ParquetValueKind {
  if (column.nested) return { kind: "nested" };
  const element: SchemaElement = column.element;
  const converted = element.converted_type;
  const logical = element.logical_type;
  if (logical?.type === "DECIMAL" || converted === "DECIMAL") {
    return {
      kind: "decimal",
      precision: logical?.type === "DECIMAL" ? logical.precision : (element.precision ?? 0),
      scale: logical?.type === "DECIMAL" ? logical.scale : (element.scale ?? 0),
      physical: element.type ?? "",
      typeLength: element.type_length ?? null,
    };
  }
  switch (element.type) {
    case "BOOLEAN":
      return { kind: "boolean" };
    case "FLOAT":
      return { kind: "float" };
    case "DOUBLE":
      return { kind: "double" };
    case "INT96":
      return { kind: "timestamp", unit: "INT96" };
    case "INT32":
      if (converted === "DATE" || logical?.type === "DATE") return { kind: "date" };
      if (converted === "TIME_MILLIS" || logical?.type === "TIME") return { kind: "time" };
      return { kind: "integer", bits: 32, unsigned: isUnsigned(element) };
    case "INT64":
      if (logical?.type === "TIMESTAMP") return { kind: "timestamp", unit: logical.unit };
      if (converted === "TIMESTAMP_MILLIS") return { kind: "timestamp", unit: "MILLIS" };
      if (converted === "TIMESTAMP_MICROS") return { kind: "timestamp", unit: "MICROS" };
      if (converted === "TIME_MICROS" || logical?.type === "TIME") return { kind: "time" };
      return { kind: "integer", bits: 64, unsigned: isUnsigned(element) };
    case "BYTE_ARRAY": {
      const json = converted === "JSON" || logical?.type === "JSON";
      const text = json || converted === "UTF8" || converted === "ENUM" || logical?.type === "STRING";
      return text || logical?.type === "ENUM" ? { kind: "string", json } : { kind: "binary" };
    }
    default:
      return { kind: "binary" };
  }
}

function isUnsigned(element: SchemaElement): boolean {
  const converted = element.converted_type;
  if (
    converted === "UINT_8" ||
    converted === "UINT_16" ||
    converted === "UINT_32" ||
    converted === "UINT_64"
  ) {
    return true;
  }
  return element.logical_type?.type === "INTEGER" && !element.logical_type.isSigned;
}
