import { describe, expect, it } from "vitest";
import { formatTableRef, parseTableRef } from "../src/index.js";

describe("parseTableRef", () => {
  it("splits schema.table", () => {
    expect(parseTableRef("shop.settlement")._unsafeUnwrap()).toEqual({ schema: "shop", table: "settlement" });
    expect(formatTableRef({ schema: "a$1", table: "b_2" })).toBe("a$1.b_2");
  });

  it.each(["settlement", "shop.", ".settlement", "a.b.c", ""])(
    "refuses %j with a config error naming the fix",
    (text) => {
      const error = parseTableRef(text)._unsafeUnwrapErr();
      expect(error.kind).toBe("config");
      expect(error.retryable).toBe(false);
      expect(error.message).toContain("schema.table");
    },
  );

  it("refuses characters that would need quoting", () => {
    const error = parseTableRef("shop.settle;ment")._unsafeUnwrapErr();
    expect(error.message).toContain('"settle;ment"');
  });
});
