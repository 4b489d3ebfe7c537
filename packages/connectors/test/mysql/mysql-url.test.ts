import { describe, expect, it } from "vitest";
import { parseMysqlUrl } from "../../src/index.js";

describe("parseMysqlUrl", () => {
  it("reads user, password, host, port and database, percent-decoded", () => {
    expect(
      parseMysqlUrl("mysql://app%40ops:p%40ss%3Aw%2Fd@db.internal:3307/shop%2Dprod")._unsafeUnwrap(),
    ).toEqual({
      host: "db.internal",
      port: 3307,
      user: "app@ops",
      password: "p@ss:w/d",
      database: "shop-prod",
    });
  });

  it("defaults the port to 3306 and accepts an empty password and IPv6 hosts", () => {
    expect(parseMysqlUrl("mysql://root@[::1]/shop")._unsafeUnwrap()).toEqual({
      host: "::1",
      port: 3306,
      user: "root",
      password: "",
      database: "shop",
    });
  });

  it.each([
    ["not a url at all", "is not a URL"],
    ["postgres://u:hunter2@h:5432/db", 'has scheme "postgres"'],
    ["mysql://u:hunter2@h:3306/", "does not name one database"],
    ["mysql://u:hunter2@h:3306/a/b", "does not name one database"],
    ["mysql://:hunter2@h:3306/db", "has no user"],
    ["mysql://u:hunter2%zz@h:3306/db", "invalid percent-encoding"],
  ])("refuses %s with a one-line config error that hides the password", (url, why) => {
    const error = parseMysqlUrl(url)._unsafeUnwrapErr();
    expect(error.kind).toBe("config");
    expect(error.message).toContain(why);
    expect(error.message).toContain("expected mysql://user:password@host:3306/database");
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("\n");
  });

  it("shows the redacted URL", () => {
    const error = parseMysqlUrl("mysql://u:hunter2@h:3306/")._unsafeUnwrapErr();
    expect(error.message).toContain("mysql://u:***@h:3306/");
  });
});
