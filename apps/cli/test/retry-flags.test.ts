import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestMysqlConnection } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { renderRunReport } from "../src/report-text.js";
import { sluice } from "./cli-harness.js";

const schema = "cli_retry_flags";
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let sourceUrl: string;

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE orders (id BIGINT PRIMARY KEY, updated_at TIMESTAMP(3) NOT NULL, KEY (updated_at, id));
    INSERT INTO orders VALUES (1, '2026-01-01 00:00:01'), (2, '2026-01-01 00:00:02');`);
  sourceUrl = services.mysql.url.replace(/\/[^/]*$/, `/${schema}`);
});
afterAll(async () => {
  await connection?.end();
});

async function lake(): Promise<string> {
  return `file://${await mkdtemp(join(tmpdir(), "sluice-cli-retry-"))}`;
}

describe("sluice sync --retry-*", () => {
  it.each([
    [["--retry-attempts", "-1"], /--retry-attempts must be a whole number >= 0/],
    [["--retry-attempts", "three"], /--retry-attempts must be a whole number >= 0, got "three"/],
    [["--retry-base-delay-ms", "1.5"], /--retry-base-delay-ms must be a whole number/],
    [
      ["--retry-base-delay-ms", "100", "--retry-max-delay-ms", "50"],
      /max delay .* >= the base delay \(100\)/,
    ],
  ])("refuses %j with exit 2", async (flags, message) => {
    const result = await sluice(["sync", "-t", `${schema}.orders`, "--backup-only", ...flags], {
      SLUICE_SOURCE_URL: sourceUrl,
      SLUICE_LAKE_URL: await lake(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("reports retries in the JSON run report (none on a healthy run)", async () => {
    const result = await sluice(["sync", "-t", `${schema}.orders`, "--backup-only", "--json"], {
      SLUICE_SOURCE_URL: sourceUrl,
      SLUICE_LAKE_URL: await lake(),
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).retries).toEqual({
      total: 0,
      byStage: { extract: 0, stage: 0, load: 0 },
    });
  });

  it("retries an unreachable source the given number of times, then exits 3", async () => {
    const unreachable = sourceUrl.replace(/:\d+\//, ":1/");
    const env = { SLUICE_SOURCE_URL: unreachable, SLUICE_LAKE_URL: await lake() };
    const twice = await sluice(
      [
        "sync",
        "-t",
        `${schema}.orders`,
        "--backup-only",
        "-v",
        "--retry-attempts",
        "2",
        "--retry-base-delay-ms",
        "1",
      ],
      env,
    );
    expect(twice.code).toBe(3);
    expect(twice.stderr.match(/transient failure, retrying/g)).toHaveLength(2);
    const never = await sluice(
      ["sync", "-t", `${schema}.orders`, "--backup-only", "-v", "--retry-attempts", "0"],
      env,
    );
    expect(never.code).toBe(3);
    expect(never.stderr).not.toMatch(/retrying/);
  });
});

describe("the text run report", () => {
  const report = { table: "shop.orders", dryRun: false, extract: null, load: null, notes: [] };

  it("names retries by stage when there were any, and says nothing otherwise", () => {
    const retried = renderRunReport({
      ...report,
      retries: { total: 3, byStage: { extract: 1, stage: 2, load: 0 } },
    });
    expect(retried).toContain("shop.orders: retried 3 transient failure(s): extract 1, stage 2, load 0");
    const quiet = renderRunReport({
      ...report,
      retries: { total: 0, byStage: { extract: 0, stage: 0, load: 0 } },
    });
    expect(quiet).not.toContain("retried");
  });
});
