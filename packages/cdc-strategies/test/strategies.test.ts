import type { CursorPosition, TableSpec } from "@sluice/core";
import { describe, expect, it } from "vitest";
import {
  createStrategyRegistry,
  defaultStrategyName,
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

const input = (table: TableSpec, extra: Partial<PlanInput> = {}): PlanInput => ({
  spec: table,
  after: null,
  ceiling: null,
  limit: null,
  ...extra,
});

describe("hybridKeysetStrategy", () => {
  it("plans (detected cursor, primary key) with the ceiling, limit and default page size", () => {
    const after: CursorPosition = { cursorValue: "2024-05-01 12:00:00.000000", keyValues: ["7"] };
    const plan = hybridKeysetStrategy.plan(
      input(orders, { after, ceiling: "2024-05-02 00:00:00.000000", limit: 10 }),
    );
    expect(plan._unsafeUnwrap()).toEqual({
      table: { schema: "shop", table: "orders" },
      strategy: "hybrid",
      cursorColumn: "updated_at",
      keyColumns: ["id"],
      after,
      ceiling: "2024-05-02 00:00:00.000000",
      limit: 10,
      pageSize: 50_000,
      maxChunks: null,
      nullCursor: "skip",
      writeMode: "merge",
    });
    expect(hybridKeysetStrategy.needsCeiling).toBe(true);
  });

  it("accepts a position inside the NULL-cursor group", () => {
    const after: CursorPosition = { cursorValue: null, keyValues: ["3"] };
    expect(hybridKeysetStrategy.plan(input(orders, { after }))._unsafeUnwrap().after).toEqual(after);
  });

  it("honours --cursor-column and checks it", () => {
    const table = spec([column("id", bigintKey), column("seen", datetime6), column("note", text)], ["id"]);
    expect(
      hybridKeysetStrategy.plan(input(table, { cursorColumn: "seen" }))._unsafeUnwrap().cursorColumn,
    ).toBe("seen");
    const missing = hybridKeysetStrategy.plan(input(table, { cursorColumn: "nope" }))._unsafeUnwrapErr();
    expect(missing.kind).toBe("config");
    expect(missing.message).toContain("shop.orders has no such column");
    expect(missing.message).toContain("id, seen, note");
    const wrongType = hybridKeysetStrategy.plan(input(table, { cursorColumn: "note" }))._unsafeUnwrapErr();
    expect(wrongType.kind).toBe("config");
    expect(wrongType.message).toContain("shop.orders.note");
  });

  it("without a cursor suggests --strategy id for a single integer key", () => {
    const table = spec([column("id", bigintKey), column("created_at", datetime6)], ["id"]);
    const error = hybridKeysetStrategy.plan(input(table))._unsafeUnwrapErr();
    expect(error.kind).toBe("no_cursor");
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain("\n");
    expect(error.message).toContain("shop.orders");
    expect(error.message).toContain("(created_at)");
    expect(error.message).toContain("--strategy id");
    expect(error.message).toContain("--cursor-column <column>");
  });

  it("without a cursor nor an integer key suggests --strategy full or an updated_at column", () => {
    const table = spec([column("code", text), column("name", text)], ["code"]);
    const error = hybridKeysetStrategy.plan(input(table))._unsafeUnwrapErr();
    expect(error.kind).toBe("no_cursor");
    expect(error.message).toContain("no DATETIME or TIMESTAMP column");
    expect(error.message).not.toContain("--strategy id");
    expect(error.message).toContain("--strategy full");
    expect(error.message).toContain("ON UPDATE CURRENT_TIMESTAMP");
  });

  it("bounds a DATE cursor by today's date and leaves a numeric cursor unbounded", () => {
    const table = spec(
      [column("id", bigintKey), column("day", { kind: "date" }), column("version", bigintKey)],
      ["id"],
    );
    const now = "2024-05-01 12:34:56.789";
    expect(
      hybridKeysetStrategy.plan(input(table, { cursorColumn: "day", ceiling: now }))._unsafeUnwrap().ceiling,
    ).toBe("2024-05-01");
    const numeric = hybridKeysetStrategy.plan(input(table, { cursorColumn: "version", ceiling: now }));
    expect(numeric._unsafeUnwrap().ceiling).toBeNull();
  });

  it("refuses a table without a primary key, saying why", () => {
    const table = spec([column("note", text), column("updated_at", datetime6)], []);
    const error = hybridKeysetStrategy.plan(input(table))._unsafeUnwrapErr();
    expect(error.kind).toBe("no_cursor");
    expect(error.message).toContain("shop.orders has no primary key");
    expect(error.message).toContain("tie");
  });

  it("refuses a stored position that does not fit the key", () => {
    const after: CursorPosition = { cursorValue: "2024-01-01 00:00:00.000000", keyValues: ["1", "2"] };
    const error = hybridKeysetStrategy.plan(input(orders, { after }))._unsafeUnwrapErr();
    expect(error.kind).toBe("watermark");
    expect(error.message).toContain("sluice watermark reset -t shop.orders");
  });

  it("refuses non-positive or fractional limits and page sizes", () => {
    for (const bad of [
      { limit: 0 },
      { limit: -1 },
      { limit: 1.5 },
      { pageSize: 0 },
      { pageSize: Number.NaN },
    ]) {
      expect(hybridKeysetStrategy.plan(input(orders, bad))._unsafeUnwrapErr().kind).toBe("config");
    }
    expect(hybridKeysetStrategy.plan(input(orders, { pageSize: 1000 }))._unsafeUnwrap().pageSize).toBe(1000);
  });
});

describe("idKeysetStrategy", () => {
  it("plans a keyset on the integer key without cursor or ceiling", () => {
    const plan = idKeysetStrategy
      .plan(
        input(orders, { after: { cursorValue: null, keyValues: ["99"] }, ceiling: "2024-01-01 00:00:00" }),
      )
      ._unsafeUnwrap();
    expect(plan).toMatchObject({ strategy: "id", cursorColumn: null, keyColumns: ["id"], ceiling: null });
    expect(plan.keyCeiling).toBeNull();
    expect(
      idKeysetStrategy.plan(input(orders, { keyCeiling: ["1000000000000"] }))._unsafeUnwrap().keyCeiling,
    ).toEqual(["1000000000000"]);
    expect(idKeysetStrategy.needsKeyCeiling).toBe(true);
    expect(plan.after).toEqual({ cursorValue: null, keyValues: ["99"] });
    expect(idKeysetStrategy.needsCeiling).toBe(false);
  });

  it("refuses composite, textual or missing keys", () => {
    const composite = spec([column("a", bigintKey), column("b", bigintKey)], ["a", "b"]);
    const textual = spec([column("code", text)], ["code"]);
    const none = spec([column("a", bigintKey)], []);
    for (const table of [composite, textual, none]) {
      const error = idKeysetStrategy.plan(input(table))._unsafeUnwrapErr();
      expect(error.kind).toBe("no_cursor");
      expect(error.message).toContain("single-column integer primary key");
    }
  });

  it("refuses --cursor-column and a position written by the hybrid strategy", () => {
    expect(idKeysetStrategy.plan(input(orders, { cursorColumn: "updated_at" }))._unsafeUnwrapErr().kind).toBe(
      "config",
    );
    const after: CursorPosition = { cursorValue: "2024-01-01 00:00:00", keyValues: ["1"] };
    expect(idKeysetStrategy.plan(input(orders, { after }))._unsafeUnwrapErr().kind).toBe("watermark");
  });
});

describe("createStrategyRegistry", () => {
  it("knows hybrid (the default), timestamp, id and full, and lists them on an unknown name", () => {
    const registry = createStrategyRegistry();
    expect(registry.get(defaultStrategyName)._unsafeUnwrap()).toBe(hybridKeysetStrategy);
    expect(registry.get("id")._unsafeUnwrap()).toBe(idKeysetStrategy);
    expect(registry.get("timestamp")._unsafeUnwrap()).toBe(timestampStrategy);
    expect(registry.get("full")._unsafeUnwrap()).toBe(fullSnapshotStrategy);
    const error = registry.get("cdc")._unsafeUnwrapErr();
    expect(error.kind).toBe("config");
    expect(error.message).toContain(
      'unknown CDC strategy "cdc"; known strategies: hybrid, timestamp, id, full',
    );
    expect(error.message).toContain("--strategy-module");
  });

  it("registers custom strategies, which may replace a built-in", () => {
    const custom = { ...idKeysetStrategy, name: "ledger" };
    const replacement = { ...hybridKeysetStrategy };
    const registry = createStrategyRegistry([custom]);
    expect(registry.get("ledger")._unsafeUnwrap()).toBe(custom);
    registry.register(replacement);
    expect(registry.get("hybrid")._unsafeUnwrap()).toBe(replacement);
    expect(registry.names()).toEqual(["hybrid", "timestamp", "id", "full", "ledger"]);
  });
});
