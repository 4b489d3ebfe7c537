import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestMysqlConnection } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_type_policies";

let sourceUrl: string;
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    SET SESSION sql_mode = '';
    CREATE TABLE ledger (id INT PRIMARY KEY, amount DECIMAL(65,30) NOT NULL);
    INSERT INTO ledger VALUES (1, 12345678901234567890123456789012345.123456789012345678901234567891);
    CREATE TABLE visits (id INT PRIMARY KEY, seen DATE NOT NULL);
    INSERT INTO visits VALUES (1, '2024-01-01'), (2, '0000-00-00');`);
  sourceUrl = services.mysql.url.replace(/\/[^/]*$/, `/${schema}`);
});
afterAll(async () => {
  await connection?.end();
});

async function backup(table: string, ...flags: string[]) {
  const lake = await mkdtemp(join(tmpdir(), "sluice-cli-policy-"));
  return sluice([
    "sync",
    "--backup-only",
    "--strategy",
    "id",
    "-t",
    `${schema}.${table}`,
    "--source",
    sourceUrl,
    "--lake",
    `file://${lake}`,
    ...flags,
  ]);
}

describe("sluice sync type-policy flags", () => {
  it("refuses a value outside the choices with exit 2, listing them", async () => {
    const result = await backup("visits", "--invalid-dates", "maybe");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("null, fail");
  });

  it("--wide-decimals: fail by default (exit 2 naming the flag), text on request", async () => {
    const refused = await backup("ledger");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/ledger\.amount is decimal\(65,30\).*--wide-decimals text/);
    const carried = await backup("ledger", "--wide-decimals", "text", "--json");
    expect(carried.code).toBe(0);
    expect(JSON.parse(carried.stdout).extract.rows).toBe(1);
  });

  it("--invalid-dates: null by default (counted with a sample key), fail on request", async () => {
    const counted = await backup("visits");
    expect(counted.code).toBe(0);
    expect(counted.stdout).toContain(
      "1 zero or invalid date(s) in column seen written as NULL (first: 0000-00-00 in the row with id=2)",
    );
    const refused = await backup("visits", "--invalid-dates", "fail");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/visits column seen .*id=2/);
  });

  it("documents the flags in --help", async () => {
    const help = await sluice(["sync", "--help"]);
    for (const flag of ["--wide-decimals", "--oversize-text", "--invalid-dates"])
      expect(help.stdout).toContain(flag);
  });
});
