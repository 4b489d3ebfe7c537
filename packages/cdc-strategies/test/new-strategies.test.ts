import type { CursorPosition, TableSpec } from "@sluice/core";
import { describe, expect, it } from "vitest";
import {
  advancePosition,
  fullSnapshotStrategy,
  hybridKeysetStrategy,
  indexAdvice,
  type PlanInput,
  strategiesFromModule,
  timestampStrategy,
} from "../src/index.js";
import { bigintKey, column, datetime6, spec, text } from "./table-spec-fixtures.js";

const orders = spec(
  [column("id", bigintKey), column("note", text), column("updated_at", datetime6, { nullable: true })],
  ["id"],
);
const input = (table: TableSpec, extra: Partial<PlanInput> = {}): PlanInput => ({
  spec: table,
  after: null,
  ceiling: null,
  limit: null,
  ...extra,
});

describe("timestampStrategy", () => {
  it("orders by the cursor alone, de-duplicates ties by primary key and resumes after a cursor value", () => {
    const after: CursorPosition = { cursorValue: "2024-05-01 12:00:00.000000", keyValues: [] };
    const plan = timestampStrategy
      .plan(input(orders, { after, ceiling: "2024-06-01 00:00:00.000000", limit: 5, maxChunks: 2 }))
      ._unsafeUnwrap();
    expect(plan).toMatchObject({
      strategy: "timestamp",
      cursorColumn: "updated_at",
      keyColumns: [],
      paging: "cursor-groups",
      dedupColumns: ["id"],
      ceiling: "2024-06-01 00:00:00.000000",
      limit: 5,
      maxChunks: 2,
      nullCursor: "skip",
    });
    expect(plan.after).toEqual(after);
    expect(timestampStrategy.needsCeiling).toBe(true);
  });

  it("refuses a table without a primary key and a hybrid position (which carries a key)", () => {
    const noKey = spec([column("note", text), column("updated_at", datetime6)], []);
    const error = timestampStrategy.plan(input(noKey))._unsafeUnwrapErr();
    expect(error.kind).toBe("no_cursor");
    expect(error.message).toContain("--strategy full");
    const hybridPosition = { cursorValue: "2024-01-01 00:00:00", keyValues: ["7"] };
    expect(timestampStrategy.plan(input(orders, { after: hybridPosition }))._unsafeUnwrapErr().kind).toBe(
      "watermark",
    );
  });
});

describe("fullSnapshotStrategy", () => {
  it("plans the whole table on the primary key, in one consistent snapshot, replacing the target", () => {
    const plan = fullSnapshotStrategy
      .plan(input(orders, { after: { cursorValue: null, keyValues: ["9"] }, keyCeiling: ["500"] }))
      ._unsafeUnwrap();
    expect(plan).toMatchObject({
      strategy: "full",
      cursorColumn: null,
      keyColumns: ["id"],
      after: null,
      keyCeiling: ["500"],
      writeMode: "replace",
      consistentSnapshot: true,
    });
    expect(
      advancePosition(fullSnapshotStrategy, { plan, spec: orders, lastRow: [500, "x", null], rows: 9 }),
    ).toBeNull();
  });

  it("reads a table without a primary key in one pass and refuses --limit and --max-chunks", () => {
    const noKey = spec([column("note", text)], []);
    expect(fullSnapshotStrategy.plan(input(noKey))._unsafeUnwrap().keyColumns).toEqual([]);
    for (const bad of [{ limit: 10 }, { maxChunks: 2 }]) {
      const error = fullSnapshotStrategy.plan(input(orders, bad))._unsafeUnwrapErr();
      expect(error.kind).toBe("config");
      expect(error.message).toContain("whole snapshot");
    }
  });
});

describe("shared knobs", () => {
  it("validate --max-chunks and --null-cursor", () => {
    expect(hybridKeysetStrategy.plan(input(orders, { maxChunks: 0 }))._unsafeUnwrapErr().message).toContain(
      "--max-chunks 0",
    );
    const policy = "first" as unknown as "skip";
    expect(
      hybridKeysetStrategy.plan(input(orders, { nullCursor: policy }))._unsafeUnwrapErr().message,
    ).toContain("--null-cursor first");
    expect(
      hybridKeysetStrategy.plan(input(orders, { nullCursor: "oldest" }))._unsafeUnwrap().nullCursor,
    ).toBe("oldest");
  });

  it("advance defaults to the last row's position, and keeps the previous one when nothing was taken", () => {
    const after = { cursorValue: "2024-01-01 00:00:00.000000", keyValues: ["3"] };
    const plan = hybridKeysetStrategy.plan(input(orders, { after }))._unsafeUnwrap();
    const lastRow = [42, "n", "2024-02-01 00:00:00.500000"];
    expect(advancePosition(hybridKeysetStrategy, { plan, spec: orders, lastRow, rows: 1 })).toEqual({
      cursorValue: "2024-02-01 00:00:00.500000",
      keyValues: ["42"],
    });
    expect(advancePosition(hybridKeysetStrategy, { plan, spec: orders, lastRow: null, rows: 0 })).toEqual(
      after,
    );
  });
});

describe("strategiesFromModule", () => {
  const custom = { ...hybridKeysetStrategy, name: "recent-hybrid" };
  it("accepts a default export, a `strategy` export or a `strategies` array", () => {
    expect(strategiesFromModule({ default: custom }, "./a.js")._unsafeUnwrap()).toEqual([custom]);
    expect(strategiesFromModule({ strategy: custom }, "./a.js")._unsafeUnwrap()).toEqual([custom]);
    const other = { ...custom, name: "other" };
    expect(strategiesFromModule({ strategies: [custom, other] }, "pkg")._unsafeUnwrap()).toEqual([
      custom,
      other,
    ]);
  });

  it("refuses malformed exports naming the module and what is wrong", () => {
    const cases: [unknown, RegExp][] = [
      [{ helper: 1 }, /\.\/bad\.js has no default, `strategy` or `strategies` export \(it exports: helper\)/],
      [{ default: { ...custom, name: "Bad Name" } }, /name must be lower-case/],
      [
        { default: { name: "x", needsCeiling: true } },
        /strategy "x" in \.\/bad\.js has no plan\(input\) function/,
      ],
      [{ default: { name: "x", plan: () => null } }, /needsCeiling must be true or false/],
      [{ default: 42 }, /exports number where a strategy object belongs/],
    ];
    for (const [exports, pattern] of cases) {
      const error = strategiesFromModule(exports, "./bad.js")._unsafeUnwrapErr();
      expect(error.kind).toBe("config");
      expect(error.message).toMatch(pattern);
    }
  });
});

describe("indexAdvice", () => {
  const withIndexes = (indexes: TableSpec["indexes"]): TableSpec => ({ ...orders, indexes });
  const primary = { name: "PRIMARY", columns: ["id"], unique: true };

  it("accepts an index on (cursor) or (cursor, pk) for hybrid: InnoDB appends the key", () => {
    const plan = hybridKeysetStrategy.plan(input(orders))._unsafeUnwrap();
    for (const columns of [["updated_at"], ["updated_at", "id"]]) {
      const advice = indexAdvice(withIndexes([primary, { name: "ix", columns, unique: false }]), plan);
      expect(advice).toEqual({ index: "ix", columns: ["updated_at", "id"], createIndexSql: null });
    }
  });

  it("names the index to create when none starts with the cursor and the key", () => {
    const plan = hybridKeysetStrategy.plan(input(orders))._unsafeUnwrap();
    const advice = indexAdvice(
      withIndexes([primary, { name: "ix_other", columns: ["updated_at", "note"], unique: false }]),
      plan,
    );
    expect(advice.index).toBeNull();
    expect(advice.createIndexSql).toBe(
      "CREATE INDEX `sluice_orders_updated_at` ON `shop`.`orders` (`updated_at`, `id`)",
    );
  });

  it("uses the primary key for key-only plans and any index leading with the cursor for timestamp", () => {
    const full = fullSnapshotStrategy.plan(input(orders))._unsafeUnwrap();
    expect(indexAdvice(withIndexes([primary]), full).index).toBe("PRIMARY");
    const timestamp = timestampStrategy.plan(input(orders))._unsafeUnwrap();
    const ix = { name: "ix_u", columns: ["updated_at", "note"], unique: false };
    expect(indexAdvice(withIndexes([primary, ix]), timestamp).index).toBe("ix_u");
    expect(indexAdvice(withIndexes([primary]), timestamp).createIndexSql).toContain("(`updated_at`, `id`)");
  });
});
