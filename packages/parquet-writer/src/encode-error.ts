import { type SluiceError, sluiceError } from "@sluice/core";

function preview(value: unknown): string {
  if (value instanceof Uint8Array) {
    const hex = Buffer.from(value.subarray(0, 32)).toString("hex");
    return `0x${hex}${value.length > 32 ? "..." : ""}`;
  }
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

/** One-line encode failure naming table, column, value and what to do about it. */
export function encodeError(
  table: string,
  column: string,
  sourceType: string,
  value: unknown,
  reason: string,
): SluiceError {
  return sluiceError(
    "encode",
    `Cannot encode table ${table} column ${column} (${sourceType}) value ${preview(value)} as Parquet: ${reason}; fix the source value or the column's type mapping.`,
  );
}
