import { createServer } from "node:net";
import { describe, expect, inject, it } from "vitest";
import { openMysqlSource } from "../../src/index.js";

const mysql = inject("sluiceServices").mysql;

/** A loopback port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

describe("openMysqlSource errors", () => {
  it("refuses a wrong password as auth, naming user@host but not the password", async () => {
    const password = "definitely-not-the-password-91";
    const error = (await openMysqlSource({ ...mysql, password }))._unsafeUnwrapErr();
    expect(error.kind).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`${mysql.user}@${mysql.host}`);
    expect(error.message).not.toContain(password);
  });

  it("reports an unreachable port as a retryable connection error naming host:port", async () => {
    const port = await closedPort();
    const error = (await openMysqlSource({ ...mysql, port, connectTimeoutMs: 2000 }))._unsafeUnwrapErr();
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`cannot reach MySQL at ${mysql.host}:${port}: ECONNREFUSED`);
    expect(error.message).toContain("SLUICE_SOURCE_URL");
    expect(error.message).not.toContain(mysql.password);
  });

  it("reports an unknown database as not_found", async () => {
    const error = (
      await openMysqlSource({ ...mysql, database: `${mysql.database}_missing` })
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("not_found");
    expect(error.message).toContain(`no database "${mysql.database}_missing"`);
  });

  it("reads the server clock in UTC at the requested precision", async () => {
    const source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
    try {
      const before = Date.now();
      const now = (await source.serverNow(3))._unsafeUnwrap();
      expect(now).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
      // Same machine: the server's UTC clock is within a few seconds of ours.
      expect(Math.abs(Date.parse(`${now.replace(" ", "T")}Z`) - before)).toBeLessThan(5000);
      expect((await source.serverNow(0))._unsafeUnwrap()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect((await source.serverNow(7))._unsafeUnwrapErr().kind).toBe("config");
      expect(source.serverVersion).toMatch(/^(MariaDB|MySQL) \d+\.\d+/);
    } finally {
      await source.close();
    }
  });
});
