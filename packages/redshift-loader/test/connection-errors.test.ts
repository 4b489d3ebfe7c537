import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { openLoader, parseWarehouseUrl } from "../src/index.js";
import { privatePostgres, temporaryLake } from "./pg-load-fixture.js";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("openLoader failures", () => {
  it("reports an unreachable host as a retryable connection error without the password", async () => {
    const lake = await temporaryLake();
    const connection = parseWarehouseUrl(
      `postgres://sluice:s3cret-pw@127.0.0.1:${await closedPort()}/db`,
    )._unsafeUnwrap();
    const error = (
      await openLoader({ connection, lake: lake.lake, connectTimeoutMs: 3000 })
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("127.0.0.1");
    expect(error.message).not.toContain("s3cret-pw");
    await lake.dispose();
  });

  it("reports a wrong password as auth, not retryable, without the password", async () => {
    const lake = await temporaryLake();
    const { endpoint, connection } = privatePostgres();
    const wrong = { ...connection, password: `${endpoint.password}-wrong` };
    const error = (await openLoader({ connection: wrong, lake: lake.lake }))._unsafeUnwrapErr();
    expect(error.kind).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("password");
    expect(error.message).not.toContain(wrong.password);
    await lake.dispose();
  });

  it("refuses bad COPY options and a missing IAM role before connecting", async () => {
    const lake = await temporaryLake();
    const port = await closedPort();
    const redshift = parseWarehouseUrl(
      `redshift://u:p@127.0.0.1:${port}/dev?iam_role=arn:aws:iam::123456789012:role/load`,
    )._unsafeUnwrap();
    const badOptions = (
      await openLoader({ connection: redshift, lake: lake.lake, copyOptions: ["GZIP MAXERROR 1000"] })
    )._unsafeUnwrapErr();
    expect(badOptions.kind).toBe("config");
    expect(badOptions.message).toContain("GZIP");
    const noRole = parseWarehouseUrl(`redshift://u:p@127.0.0.1:${port}/dev`)._unsafeUnwrap();
    const missingRole = (await openLoader({ connection: noRole, lake: lake.lake }))._unsafeUnwrapErr();
    expect(missingRole.kind).toBe("config");
    expect(missingRole.message).toContain("iam_role");
    await lake.dispose();
  });
});
