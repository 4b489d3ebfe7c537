import type { CursorPosition, ExtractPlan, LogicalKind, TableSpec } from "@sluice/core";
import { findColumn } from "@sluice/core";

/**
 * Orders two positions of the same plan the way the source orders rows:
 * cursor first (NULL before any value), then key columns left to right.
 * Numbers compare by value (exactly, on their decimal text), everything else by
 * text, which matches MySQL for dates, times, hex-encoded binary and binary
 * collations; for text keys under a case-insensitive collation it is an
 * approximation. Used to refuse a watermark that would move backwards.
 */
export function comparePositions(
  plan: ExtractPlan,
  spec: TableSpec,
  a: CursorPosition,
  b: CursorPosition,
): number {
  if (plan.cursorColumn !== null) {
    const byCursor = compareNullable(kindOf(spec, plan.cursorColumn), a.cursorValue, b.cursorValue);
    if (byCursor !== 0) return byCursor;
  }
  for (let index = 0; index < plan.keyColumns.length; index += 1) {
    const kind = kindOf(spec, plan.keyColumns[index] as string);
    const byKey = compareNullable(kind, a.keyValues[index] ?? null, b.keyValues[index] ?? null);
    if (byKey !== 0) return byKey;
  }
  return 0;
}

function kindOf(spec: TableSpec, name: string): LogicalKind | undefined {
  return findColumn(spec, name)?.logical.kind;
}

function compareNullable(kind: LogicalKind | undefined, a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (kind === "integer" || kind === "decimal" || kind === "year") return compareDecimalText(a, b);
  if (kind === "float" || kind === "double") return Math.sign(Number(a) - Number(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two decimal numerals (`-12.50`, `7`, `18446744073709551615`) exactly. */
export function compareDecimalText(a: string, b: string): number {
  const x = splitDecimal(a);
  const y = splitDecimal(b);
  const signX = x.zero ? 0 : x.negative ? -1 : 1;
  const signY = y.zero ? 0 : y.negative ? -1 : 1;
  if (signX !== signY || signX === 0) return Math.sign(signX - signY);
  const magnitude = compareMagnitude(x, y);
  return x.negative ? -magnitude : magnitude;
}

interface DecimalParts {
  readonly negative: boolean;
  readonly whole: string;
  readonly fraction: string;
  readonly zero: boolean;
}

function splitDecimal(text: string): DecimalParts {
  const negative = text.startsWith("-");
  const unsigned = negative || text.startsWith("+") ? text.slice(1) : text;
  const [wholeRaw = "", fractionRaw = ""] = unsigned.split(".");
  const whole = wholeRaw.replace(/^0+/, "");
  const fraction = fractionRaw.replace(/0+$/, "");
  return { negative, whole, fraction, zero: whole === "" && fraction === "" };
}

function compareMagnitude(x: DecimalParts, y: DecimalParts): number {
  if (x.whole.length !== y.whole.length) return x.whole.length < y.whole.length ? -1 : 1;
  if (x.whole !== y.whole) return x.whole < y.whole ? -1 : 1;
  const width = Math.max(x.fraction.length, y.fraction.length);
  const fx = x.fraction.padEnd(width, "0");
  const fy = y.fraction.padEnd(width, "0");
  return fx < fy ? -1 : fx > fy ? 1 : 0;
}
