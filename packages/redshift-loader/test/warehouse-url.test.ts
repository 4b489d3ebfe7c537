import { describe, expect, it } from "vitest";
import { parseWarehouseUrl } from "../src/index.js";

describe("parseWarehouseUrl", () => {
  it("parses postgres with percent-decoded credentials", () => {
    const connection = parseWarehouseUrl(
      "postgres://load%40er:p%3Ass%2Fw@db.example:6543/warehouse",
    )._unsafeUnwrap();
    expect(connection).toMatchObject({
      dialect: "postgres",
      host: "db.example",
      port: 6543,
      user: "load@er",
      password: "p:ss/w",
      database: "warehouse",
      sslMode: "disable",
    });
    expect(connection.displayUrl).not.toContain("p%3Ass");
    expect(connection.displayUrl).toContain("***");
  });

  it("parses redshift with iam_role, schema, default port and TLS", () => {
    const connection = parseWarehouseUrl(
      "redshift://admin:secret@c1.abc.eu-west-1.redshift.amazonaws.com/dev?iam_role=arn:aws:iam::123456789012:role/load&schema=mirror",
    )._unsafeUnwrap();
    expect(connection).toMatchObject({
      dialect: "redshift",
      port: 5439,
      database: "dev",
      iamRole: "arn:aws:iam::123456789012:role/load",
      schema: "mirror",
      sslMode: "verify-full",
    });
    expect(parseWarehouseUrl("postgresql://u@h/db")._unsafeUnwrap().port).toBe(5432);
  });

  it.each([
    ["mysql://u:hunter2@h/db", "scheme"],
    ["postgres://u:hunter2@h", "database"],
    ["postgres://:hunter2@h/db", "user"],
    ["postgres://u:hunter2@h/db?iam_role=arn:aws:iam::123456789012:role/x", "iam_role"],
    ["redshift://u:hunter2@h/db?iam_role=role-x", "iam_role"],
    ["redshift://u:hunter2@h/db?sslmode=maybe", "sslmode"],
    ["redshift://u:hunter2@h/db?region=eu", "region"],
    ["not a url hunter2", "not a valid URL"],
  ])("refuses %s in one redacted line", (url, word) => {
    const error = parseWarehouseUrl(url)._unsafeUnwrapErr();
    expect(error.kind).toBe("config");
    expect(error.message).toContain(word);
    expect(error.message).toContain("postgres://user:pass@host:5432/db");
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("\n");
  });
});
