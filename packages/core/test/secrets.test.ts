import { describe, expect, it } from "vitest";
import { createJsonLogger, redactSecrets, redactUrl, sluiceError, toSluiceError } from "../src/index.js";

describe("secrets never reach text", () => {
  it("redactSecrets removes passwords from every URL in a text", () => {
    const text = "failed mysql://etl:s3cr3t@db:3306/shop then postgres://u:p%40ss@w:5432/x";
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain("s3cr3t");
    expect(redacted).not.toContain("p%40ss");
    expect(redacted).toContain("mysql://etl:***@db:3306/shop");
  });

  it("redactUrl keeps user, host and path", () => {
    const redacted = redactUrl("redshift://loader:hunter2@cluster.example:5439/dev?iam_role=x");
    expect(redacted).not.toContain("hunter2");
    expect(redacted).toContain("loader");
    expect(redacted).toContain("cluster.example:5439/dev");
  });

  it("the JSON logger redacts URLs in messages and fields", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(line) });
    logger.info("connecting to mysql://etl:topsecret@db/shop", { target: "postgres://u:alsosecret@h/db" });
    logger.debug("dropped below the threshold");
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/topsecret|alsosecret/);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ level: "info" });
  });

  it("toSluiceError keeps a SluiceError and wraps anything else without secrets", () => {
    const original = sluiceError("auth", "denied");
    expect(toSluiceError(original, "internal", "x")).toBe(original);
    const wrapped = toSluiceError(new Error("at mysql://a:pw@h/d"), "connection", "extracting shop.t");
    expect(wrapped).toMatchObject({ kind: "connection", retryable: true });
    expect(wrapped.message).toBe("extracting shop.t: at mysql://a:***@h/d");
  });
});
