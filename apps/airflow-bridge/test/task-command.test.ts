import { describe, expect, it } from "vitest";
import { taskCommandFor } from "../src/index.js";

describe("taskCommandFor", () => {
  it("builds a JSON-reporting sync command for one table", () => {
    expect(taskCommandFor({ schema: "shop", table: "settlement" })).toEqual([
      "sluice",
      "sync",
      "--table",
      "shop.settlement",
      "--json",
    ]);
  });

  it("passes mode and limit through as flags", () => {
    const argv = taskCommandFor({ schema: "shop", table: "orders" }, { mode: "backup-only", limit: 500 });
    expect(argv).toContain("--backup-only");
    expect(argv.slice(-2)).toEqual(["--limit", "500"]);
    expect(argv).not.toContain("--redshift-only");
  });
});
