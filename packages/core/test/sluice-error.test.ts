import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import {
  configError,
  createJsonLogger,
  isSluiceError,
  rephrased,
  SluiceError,
  sluiceError,
  toSluiceError,
} from "../src/index.js";

describe("SluiceError", () => {
  it("is an Error with a stack that starts at the caller, a kind and retryability", () => {
    const error = sluiceError("connection", "shop.orders: the connection to db:3306 dropped");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("SluiceError");
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
    expect(error.stack?.split("\n")[1]).toContain("sluice-error.test.ts");
    expect(configError("bad flag").retryable).toBe(false);
    expect(sluiceError("load", "x", { retryable: true }).retryable).toBe(true);
  });

  it("keeps its cause as the standard Error cause", () => {
    const driverError = new Error("ECONNRESET");
    const wrapped = toSluiceError(driverError, "connection", "reading shop.orders");
    expect(wrapped.cause).toBe(driverError);
    expect(wrapped.message).toBe("reading shop.orders: ECONNRESET");
    expect(toSluiceError(wrapped, "internal", "again")).toBe(wrapped);
  });

  it("is recognised across copies of the package by its brand, not by instanceof", () => {
    const error = configError("--limit must be a whole number");
    // A plain object with the same fields is not one (it has no stack and no brand).
    expect(isSluiceError({ kind: "config", retryable: false, message: "x" })).toBe(false);
    expect(SluiceError.isInstance(error)).toBe(true);
    expect(isSluiceError(new Error("x"))).toBe(false);
    expect(isSluiceError(null)).toBe(false);
    // An error made by another copy of the class (another realm, same Symbol registry key).
    const foreign = runInNewContext(`
      const brand = Symbol.for("@sluice/core/SluiceError");
      const e = new Error("from another copy");
      Object.defineProperty(e, brand, { value: true });
      Object.assign(e, { kind: "stage", retryable: true });
      e;
    `);
    expect(foreign instanceof SluiceError).toBe(false);
    expect(SluiceError.isInstance(foreign)).toBe(true);
  });

  it("prints kind, retryable and message as JSON, never the stack, the cause or a password", () => {
    const secretCause = { url: "mysql://etl:hunter2@db/shop" };
    const error = sluiceError("auth", "access denied for mysql://etl:hunter2@db/shop; check the password", {
      cause: secretCause,
    });
    const json = JSON.parse(JSON.stringify({ failure: error }));
    expect(json).toEqual({
      failure: {
        name: "SluiceError",
        kind: "auth",
        retryable: false,
        message: "access denied for mysql://etl:***@db/shop; check the password",
      },
    });
    const text = JSON.stringify(error);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("at ");
    // A plain Error would print {}: the message is not an enumerable property.
    expect(JSON.stringify(new Error("lost"))).toBe("{}");
  });

  it("keeps its fields in JSON log lines", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(line) });
    logger.warn("retrying", { error: sluiceError("connection", "dropped") });
    expect(JSON.parse(lines[0] ?? "{}").error).toEqual({
      name: "SluiceError",
      kind: "connection",
      retryable: true,
      message: "dropped",
    });
  });

  it("rephrased keeps kind and retryability and chains the original", () => {
    const original = sluiceError("stage", "PUT refused", { retryable: true });
    const told = rephrased(original, "writing markers: PUT refused");
    expect(told).toMatchObject({ kind: "stage", retryable: true, message: "writing markers: PUT refused" });
    expect(told.cause).toBe(original);
  });
});
