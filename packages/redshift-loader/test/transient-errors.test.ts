import { describe, expect, it } from "vitest";
import { warehouseError } from "../src/warehouse-errors.js";

/** SQLSTATEs as pg reports them (`code`): which a repeated load may get past. */
describe("warehouse errors a retry may cure", () => {
  const failure = (code: string, message = "failed") => Object.assign(new Error(message), { code });

  it.each([
    ["57P01", "terminating connection due to administrator command"],
    ["08006", "connection failure"],
    ["40001", "could not serialize access"],
    ["40P01", "deadlock detected"],
    ["55P03", "could not obtain lock"],
    ["53300", "too many connections"],
  ])("%s (%s) is retryable", (code, message) => {
    expect(warehouseError(failure(code, message), "load", "loading t")).toMatchObject({ retryable: true });
  });

  it.each([
    ["28P01", "password authentication failed"],
    ["42P01", "relation does not exist"],
    ["42601", "syntax error"],
    ["22P02", "invalid input syntax"],
  ])("%s (%s) is not", (code, message) => {
    expect(warehouseError(failure(code, message), "load", "loading t")).toMatchObject({ retryable: false });
  });
});
