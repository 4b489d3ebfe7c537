import type { SourceValue, TableSpec } from "@sluice/core";
import { describe, expect, it } from "vitest";
import {
  advanceWatermark,
  fullSnapshotStrategy,
  hybridKeysetStrategy,
  idKeysetStrategy,
  type PlanInput,
  timestampStrategy,
} from "../src/index.js";
import { bigintKey, column, datetime6, spec, text } from "./table-spec-fixtures.js";

const orders = spec(
  [column("id", bigintKey), column("note", text), column("updated_at", datetime6, { nullable: true })],
  ["id"],
);
const byPair = spec(
  [column("region", text), column("id", bigintKey), column("updated_at", datetime6)],
  ["region", "id"],
);
const input = (table: TableSpec, extra: Partial<PlanInput> = {}): PlanInput => ({
  spec: table,
  after: null,
  ceiling: null,
  limit: null,
  ...extra,
});
const ceiling = "2026-11-25 10:00:00.000000";
const row = (id: number, stamp: string): SourceValue[] => [id, "n", stamp];

describe("initial snapshot planning (hybrid, timestamp)", () => {
  for (const strategy of [hybridKeysetStrategy, timestampStrategy]) {
    it(`${strategy.name}: a table without a position reads below the captured ceiling in key order`, () => {
      const plan = strategy.plan(input(orders, { ceiling, limit: 10 }))._unsafeUnwrap();
      expect(plan.snapshot).toEqual({ keyColumns: ["id"], afterKey: null });
      expect(plan).toMatchObject({ after: null, ceiling, limit: 10, cursorColumn: "updated_at" });
      // The draft (no ceiling yet) is not a snapshot: only a bounded plan can be one.
      expect(strategy.plan(input(orders))._unsafeUnwrap().snapshot).toBeUndefined();
    });

    it(`${strategy.name}: a snapshot in progress keeps its frozen ceiling, whatever was captured`, () => {
      const snapshot = { ceiling, afterKey: ["41"] };
      const plan = strategy
        .plan(input(orders, { snapshot, ceiling: "2026-11-26 00:00:00.000000" }))
        ._unsafeUnwrap();
      expect(plan.ceiling).toBe(ceiling);
      expect(plan.snapshot).toEqual({ keyColumns: ["id"], afterKey: ["41"] });
      // ...even with --no-initial-snapshot: a started snapshot is finished.
      expect(
        strategy.plan(input(orders, { snapshot, initialSnapshot: false }))._unsafeUnwrap().snapshot,
      ).toEqual(plan.snapshot);
    });

    it(`${strategy.name}: --no-initial-snapshot and stored positions read in cursor order`, () => {
      expect(
        strategy.plan(input(orders, { ceiling, initialSnapshot: false }))._unsafeUnwrap().snapshot,
      ).toBeUndefined();
      const after = {
        cursorValue: "2026-01-01 00:00:00.000000",
        keyValues: strategy.name === "hybrid" ? ["3"] : [],
      };
      expect(strategy.plan(input(orders, { ceiling, after }))._unsafeUnwrap().snapshot).toBeUndefined();
    });

    it(`${strategy.name}: refuses a snapshot whose key no longer fits, or a position beside it`, () => {
      const wrongKey = strategy.plan(input(orders, { snapshot: { ceiling, afterKey: ["eu", "4"] } }));
      expect(wrongKey._unsafeUnwrapErr().kind).toBe("watermark");
      expect(wrongKey._unsafeUnwrapErr().message).toContain("sluice watermark reset -t");
      const both = strategy.plan(
        input(orders, {
          snapshot: { ceiling, afterKey: ["4"] },
          after: { cursorValue: ceiling, keyValues: strategy.name === "hybrid" ? ["4"] : [] },
        }),
      );
      expect(both._unsafeUnwrapErr().message).toContain("both a position and an initial snapshot");
    });
  }

  it("composite keys page by the whole primary key", () => {
    const plan = hybridKeysetStrategy.plan(input(byPair, { ceiling }))._unsafeUnwrap();
    expect(plan.snapshot).toEqual({ keyColumns: ["region", "id"], afterKey: null });
  });

  it("id and full have no initial snapshot", () => {
    expect(
      idKeysetStrategy.plan(input(orders, { keyCeiling: ["9"] }))._unsafeUnwrap().snapshot,
    ).toBeUndefined();
    expect(fullSnapshotStrategy.plan(input(orders))._unsafeUnwrap().snapshot).toBeUndefined();
  });
});

describe("advanceWatermark", () => {
  const plan = hybridKeysetStrategy.plan(input(orders, { ceiling }))._unsafeUnwrap();
  const resumed = hybridKeysetStrategy
    .plan(input(orders, { snapshot: { ceiling, afterKey: ["7"] } }))
    ._unsafeUnwrap();

  it("a cut snapshot run keeps the ceiling and moves to the last key taken", () => {
    const next = advanceWatermark(hybridKeysetStrategy, {
      plan,
      spec: orders,
      lastRow: row(12, "2026-01-01 00:00:00.000000"),
      rows: 12,
      complete: false,
    });
    expect(next).toEqual({ position: null, snapshot: { ceiling, afterKey: ["12"] } });
    // A run that took no row keeps the previous key.
    expect(
      advanceWatermark(hybridKeysetStrategy, { plan: resumed, spec: orders, lastRow: null, rows: 0 }),
    ).toEqual({ position: null, snapshot: { ceiling, afterKey: ["7"] } });
  });

  it("a complete snapshot hands over on the source's largest row below the ceiling", () => {
    const end = { cursorValue: "2026-11-25 09:59:59.999999", keyValues: ["3"] };
    const next = advanceWatermark(hybridKeysetStrategy, {
      plan: resumed,
      spec: orders,
      lastRow: row(50, "2026-01-01 00:00:00.000000"),
      rows: 43,
      complete: true,
      snapshotEnd: end,
    });
    expect(next).toEqual({ position: end, snapshot: null });
    // Nothing dated below the ceiling: no position, the next run starts a new snapshot.
    expect(
      advanceWatermark(hybridKeysetStrategy, {
        plan,
        spec: orders,
        lastRow: null,
        rows: 0,
        complete: true,
        snapshotEnd: null,
      }),
    ).toEqual({ position: null, snapshot: null });
    // Complete without the end probe is not trusted: the snapshot stays.
    expect(
      advanceWatermark(hybridKeysetStrategy, {
        plan: resumed,
        spec: orders,
        lastRow: null,
        rows: 0,
        complete: true,
      }).snapshot,
    ).toEqual({ ceiling, afterKey: ["7"] });
  });

  it("incremental runs advance as the strategy does (the last row)", () => {
    const incremental = hybridKeysetStrategy
      .plan(
        input(orders, { ceiling, after: { cursorValue: "2026-01-01 00:00:00.000000", keyValues: ["3"] } }),
      )
      ._unsafeUnwrap();
    expect(
      advanceWatermark(hybridKeysetStrategy, {
        plan: incremental,
        spec: orders,
        lastRow: row(9, "2026-02-01 00:00:00.000000"),
        rows: 4,
        complete: true,
      }),
    ).toEqual({ position: { cursorValue: "2026-02-01 00:00:00.000000", keyValues: ["9"] }, snapshot: null });
  });
});
