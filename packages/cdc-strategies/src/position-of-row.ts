import type { CursorPosition, ExtractPlan, SourceValue, TableSpec } from "@sluice/core";
import { formatTableRef, sluiceError } from "@sluice/core";

/**
 * The position of one extracted row (usually the last of a run), as canonical text:
 * numbers and big-number strings in decimal, dates/times as the server printed them,
 * binary values as lowercase hex. This text is what the watermark stores and what the
 * next run binds back into its keyset predicate.
 * Throws a SluiceError (kind internal) when the row does not fit the plan: a bug.
 */
export function positionOfRow(
  plan: ExtractPlan,
  spec: TableSpec,
  row: readonly SourceValue[],
): CursorPosition {
  const indexOf = (name: string): number => {
    const index = spec.columns.findIndex((column) => column.name === name);
    if (index < 0 || index >= row.length) {
      throw sluiceError(
        "internal",
        `${formatTableRef(spec.ref)}: column ${name} of the ${plan.strategy} plan is missing from the extracted row (${row.length} values)`,
      );
    }
    return index;
  };
  const cursorValue =
    plan.cursorColumn === null ? null : canonicalText(row[indexOf(plan.cursorColumn)] ?? null);
  const keyValues = plan.keyColumns.map((name) => {
    const text = canonicalText(row[indexOf(name)] ?? null);
    if (text === null) {
      throw sluiceError(
        "internal",
        `${formatTableRef(spec.ref)}: key column ${name} is NULL in an extracted row`,
      );
    }
    return text;
  });
  return { cursorValue, keyValues };
}

/** Canonical text of one source value; null stays null. */
export function canonicalText(value: SourceValue): string | null {
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex");
}
