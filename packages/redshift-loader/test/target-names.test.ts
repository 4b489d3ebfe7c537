import type { ColumnSpec } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { explicitIdentifier, mapColumnNames, targetIdentifier } from "../src/index.js";

const text = (name: string): ColumnSpec => ({
  name,
  sourceType: "varchar(10)",
  logical: { kind: "string", maxBytes: 40 },
  nullable: true,
});

describe("targetIdentifier (Redshift names and identifiers)", () => {
  it.each([
    ["OrderDate", "orderdate"],
    ["order", "order"], // reserved words are kept and always quoted
    ["user", "user"],
    ["e-mail address", "e_mail_address"],
    ["price$", "price$"],
    ["2fa_enabled", "col_2fa_enabled"],
    ["$amount", "col_$amount"],
    ["oid", "col_oid"],
    ["XMIN", "col_xmin"],
    ["Größe", "größe"], // only ASCII letters fold; multibyte characters are valid
    ["naïve\u0000x", "naïve_x"],
    ['we"ird', "we_ird"],
  ])("%s -> %s", (source, target) => {
    expect(targetIdentifier(source, "redshift")).toBe(target);
  });

  it("cuts to 127 bytes on Redshift and 63 on PostgreSQL, never inside a character", () => {
    const long = `${"a".repeat(125)}éé`; // 125 + 2 + 2 bytes
    const cut = targetIdentifier(long, "redshift");
    expect(new TextEncoder().encode(cut).length).toBe(127);
    expect(cut).toBe(`${"a".repeat(125)}é`);
    const odd = `${"b".repeat(62)}é`;
    expect(targetIdentifier(odd, "postgres")).toBe("b".repeat(62));
  });
});

describe("mapColumnNames", () => {
  it("maps every column and keeps the source names alongside", () => {
    const mapped = mapColumnNames(
      "shop.t",
      [text("Id"), text("2nd"), text("order")],
      "redshift",
    )._unsafeUnwrap();
    expect(mapped.map((column) => [column.source.name, column.target])).toEqual([
      ["Id", "id"],
      ["2nd", "col_2nd"],
      ["order", "order"],
    ]);
  });

  it.each([
    [["Name", "name"], "name"],
    [["a-b", "a_b"], "a_b"],
    [[`${"x".repeat(130)}1`, `${"x".repeat(130)}2`], "x".repeat(127)],
  ])("refuses %j: both would become %s", (names, target) => {
    const error = mapColumnNames("shop.t", names.map(text), "redshift")._unsafeUnwrapErr();
    expect(error.kind).toBe("schema");
    expect(error.retryable).toBe(false);
    for (const name of names) expect(error.message).toContain(`"${name}"`);
    expect(error.message).toContain(`"${target}"`);
    expect(error.message).toContain("shop.t");
  });

  it("refuses a column that would take a name sluice reserves for staging", () => {
    const error = mapColumnNames("shop.t", [text("_SLUICE_seq")], "postgres")._unsafeUnwrapErr();
    expect(error.message).toContain("_sluice_seq");
  });
});

describe("explicitIdentifier", () => {
  it("folds ASCII letters and accepts valid names", () => {
    expect(explicitIdentifier("target name", "Orders_2024", "redshift")._unsafeUnwrap()).toBe("orders_2024");
  });

  it.each(["2024_orders", "orders-old", "my table"])(
    "refuses %s and suggests the sanitised form",
    (given) => {
      const error = explicitIdentifier("shop.orders: target name", given, "redshift")._unsafeUnwrapErr();
      expect(error.kind).toBe("config");
      expect(error.message).toContain(`"${given}"`);
      expect(error.message).toContain(`"${targetIdentifier(given, "redshift")}"`);
    },
  );
});
