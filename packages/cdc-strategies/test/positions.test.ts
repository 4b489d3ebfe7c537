import type { CursorPosition, ExtractPlan, SourceValue } from "@sluice/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareDecimalText, comparePositions, hybridKeysetStrategy, positionOfRow } from "../src/index.js";
import { bigintKey, column, datetime6, spec, text } from "./table-spec-fixtures.js";

const table = spec(
  [column("id", bigintKey), column("note", text), column("updated_at", datetime6, { nullable: true })],
  ["id"],
);
const planFor = (after: CursorPosition | null): ExtractPlan =>
  hybridKeysetStrategy.plan({ spec: table, after, ceiling: null, limit: null })._unsafeUnwrap();
const plan = planFor(null);

// mysql2 hands BIGINT over as a number when safe and as a string beyond 2^53.
const asDriverValue = (id: bigint): SourceValue =>
  id >= BigInt(Number.MIN_SAFE_INTEGER) && id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id.toString();

interface Row {
  readonly id: bigint;
  readonly ts: string | null;
}
const toSourceRow = (row: Row): SourceValue[] => [asDriverValue(row.id), "x", row.ts];

/** The order MySQL gives `ORDER BY updated_at, id`, written independently of the code under test. */
function sourceOrder(a: Row, b: Row): number {
  if (a.ts !== b.ts) {
    if (a.ts === null) return -1;
    if (b.ts === null) return 1;
    return a.ts < b.ts ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const timestampPool = [
  "2023-12-31 23:59:59.999999",
  "2024-01-01 00:00:00.000000",
  "2024-01-01 00:00:00.000001",
  "2024-02-29 12:30:00.500000",
  "2025-06-01 08:00:00.000000",
];
const rowsArbitrary = fc
  .uniqueArray(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: 1, maxLength: 200 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({ id: fc.constant(id), ts: fc.option(fc.constantFrom(...timestampPool), { freq: 6 }) }),
      ),
    ),
  )
  .map((rows) => [...rows].sort(sourceOrder));

describe("positionOfRow", () => {
  it("renders cursor and keys as canonical text", () => {
    expect(positionOfRow(plan, table, [42, "n", "2024-05-01 12:00:00.123456"])).toEqual({
      cursorValue: "2024-05-01 12:00:00.123456",
      keyValues: ["42"],
    });
    expect(positionOfRow(plan, table, ["18446744073709551615", "n", null])).toEqual({
      cursorValue: null,
      keyValues: ["18446744073709551615"],
    });
    const binary = spec(
      [column("uid", { kind: "binary", maxBytes: 16 }), column("updated_at", datetime6)],
      ["uid"],
    );
    const binaryPlan = hybridKeysetStrategy.plan({ spec: binary, after: null, ceiling: null, limit: null });
    expect(
      positionOfRow(binaryPlan._unsafeUnwrap(), binary, [Buffer.from([0, 255, 16]), "2024-01-01"]),
    ).toEqual({
      cursorValue: "2024-01-01",
      keyValues: ["00ff10"],
    });
  });

  it("throws an internal SluiceError for a NULL key or a short row", () => {
    expect(() => positionOfRow(plan, table, [null, "n", "2024-01-01"])).toThrow(/key column id is NULL/);
    expect(() => positionOfRow(plan, table, [1])).toThrow(/missing from the extracted row/);
  });
});

describe("compareDecimalText", () => {
  it("agrees with exact BigInt arithmetic on random decimals", () => {
    const decimal = fc.record({
      unscaled: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
      scale: fc.nat(8),
    });
    const render = ({ unscaled, scale }: { unscaled: bigint; scale: number }): string => {
      const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
      const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
      return unscaled < 0n ? `-${body}` : body;
    };
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const scale = Math.max(a.scale, b.scale);
        const x = a.unscaled * 10n ** BigInt(scale - a.scale);
        const y = b.unscaled * 10n ** BigInt(scale - b.scale);
        const expected = x < y ? -1 : x > y ? 1 : 0;
        expect(compareDecimalText(render(a), render(b))).toBe(expected);
      }),
    );
    expect(compareDecimalText("-0", "0")).toBe(0);
    expect(compareDecimalText("-0.00", "5")).toBe(-1);
    expect(compareDecimalText("007", "7.000")).toBe(0);
  });
});

describe("positions are monotone in source order", () => {
  it("strictly increase along ORDER BY cursor, key (NULL cursors first, big keys exact)", () => {
    fc.assert(
      fc.property(rowsArbitrary, (rows) => {
        const positions = rows.map((row) => positionOfRow(plan, table, toSourceRow(row)));
        for (let index = 1; index < positions.length; index += 1) {
          expect(
            comparePositions(
              plan,
              table,
              positions[index - 1] as CursorPosition,
              positions[index] as CursorPosition,
            ),
          ).toBe(-1);
          expect(
            comparePositions(
              plan,
              table,
              positions[index] as CursorPosition,
              positions[index - 1] as CursorPosition,
            ),
          ).toBe(1);
        }
        for (const position of positions) expect(comparePositions(plan, table, position, position)).toBe(0);
      }),
    );
  });

  it("resuming after each page's last position takes every row exactly once, for any page size", () => {
    fc.assert(
      fc.property(rowsArbitrary, fc.integer({ min: 1, max: 50 }), (rows, pageSize) => {
        const taken: Row[] = [];
        let after: CursorPosition | null = null;
        const pagePositions: CursorPosition[] = [];
        for (;;) {
          const resume = after;
          const pending = rows.filter(
            (row) =>
              resume === null ||
              comparePositions(plan, table, positionOfRow(plan, table, toSourceRow(row)), resume) > 0,
          );
          const page = pending.slice(0, pageSize);
          if (page.length === 0) break;
          taken.push(...page);
          after = positionOfRow(planFor(after), table, toSourceRow(page[page.length - 1] as Row));
          pagePositions.push(after);
        }
        expect(taken).toEqual(rows);
        for (let index = 1; index < pagePositions.length; index += 1) {
          expect(
            comparePositions(
              plan,
              table,
              pagePositions[index - 1] as CursorPosition,
              pagePositions[index] as CursorPosition,
            ),
          ).toBe(-1);
        }
      }),
    );
  });
});
