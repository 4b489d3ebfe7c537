import { describe, expect, it } from "vitest";
import { pipelineDagTables } from "../src/index.js";

const pipeline = {
  name: "shop",
  content: {
    parallel: 3,
    tables: [
      { table: "shop.orders" },
      { table: "shop.Order_Items", depends_on: ["SHOP.ORDERS"] },
      { table: "shop.archive", enabled: false },
      { table: "shop.refunds", depends_on: ["shop.order_items", "shop.orders"] },
    ],
  },
};

describe("pipelineDagTables", () => {
  it("takes the enabled tables in file order, parallelism, and dependencies in the file's spelling", () => {
    const result = pipelineDagTables(pipeline)._unsafeUnwrap();
    expect(result.maxActiveTasks).toBe(3);
    expect(result.tables.map((entry) => `${entry.table.schema}.${entry.table.table}`)).toEqual([
      "shop.orders",
      "shop.Order_Items",
      "shop.refunds",
    ]);
    expect(result.tables[2]?.dependsOn).toEqual([
      { schema: "shop", table: "Order_Items" },
      { schema: "shop", table: "orders" },
    ]);
  });

  it("defaults to one table at a time, as sync -p does", () => {
    const single = { name: "one", content: { tables: [{ table: "shop.orders" }] } };
    expect(pipelineDagTables(single)._unsafeUnwrap().maxActiveTasks).toBe(1);
  });

  it("refuses a dependency on a table the file does not list", () => {
    const broken = {
      name: "shop",
      content: { tables: [{ table: "shop.items", depends_on: ["shop.ordrs"] }] },
    };
    expect(pipelineDagTables(broken)._unsafeUnwrapErr().message).toContain(
      "table shop.items depends_on shop.ordrs, which is not under tables:",
    );
  });
});
