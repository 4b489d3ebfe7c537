import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_verify";
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let env: Record<string, string>;

async function warehouse(sql: string): Promise<void> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    await pg.query(sql);
  } finally {
    await pg.end();
  }
}

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  // Every kind the checksum covers, with NULLs, a zero date (loaded as NULL), 4-byte UTF-8 and bytes.
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    SET SESSION sql_mode = '';
    CREATE TABLE wide (id INT PRIMARY KEY, big BIGINT UNSIGNED, small TINYINT, amount DECIMAL(12,3),
      label VARCHAR(40) CHARACTER SET utf8mb4, code CHAR(3), state ENUM('open','closed'), born DATE,
      seen DATETIME(6), stamped TIMESTAMP(6) NULL, flags BIT(5), yr YEAR, raw VARBINARY(16), ratio DOUBLE,
      doc JSON, updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO wide
      SELECT seq, 18446744073709551615 - seq, IF(seq % 2 = 0, -seq, seq), seq * 1.125,
             ELT(1 + seq % 4, NULL, 'plain', 'Grüße', 'emoji 🚀'), ELT(1 + seq % 3, 'EUR', 'US', NULL),
             ELT(1 + seq % 2, 'open', 'closed'), IF(seq = 3, '0000-00-00', DATE('2024-02-01') + INTERVAL seq DAY),
             IF(seq % 5 = 0, NULL, TIMESTAMP('2024-01-01 10:00:00') + INTERVAL seq * 1000123 MICROSECOND),
             TIMESTAMP('2025-06-01 00:00:00') + INTERVAL seq HOUR, seq % 32, 1990 + seq,
             IF(seq % 3 = 0, NULL, UNHEX(CONCAT('00ff', LPAD(HEX(seq), 4, '0')))), seq / 7,
             JSON_OBJECT('n', seq), TIMESTAMP('2026-01-01 00:00:00') + INTERVAL seq SECOND
      FROM seq_1_to_10;
    CREATE TABLE dropped (id INT PRIMARY KEY, updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO dropped VALUES (1, '2026-01-01 00:00:01'), (2, '2026-01-01 00:00:02');`);
  await warehouse(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  env = {
    SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    SLUICE_LAKE_URL: `file://${await mkdtemp(join(tmpdir(), "sluice-cli-verify-"))}`,
    SLUICE_TARGET_URL: services.postgres.url,
  };
});
afterAll(async () => {
  await connection?.end();
});

const verify = (...extra: string[]) =>
  sluice(["sync", "-t", `${schema}.wide`, "--verify-data", "--verify-rows-per-range", "3", ...extra], env);

describe("sluice sync --verify-data: counts and key-range checksums, MariaDB vs PostgreSQL", () => {
  it("a faithful copy verifies; floats and JSON are named as compared by count only", async () => {
    const result = await verify("--json");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.verification).toEqual({
      target: `${schema}.wide`,
      sourceRows: 10,
      targetRows: 10,
      ranges: 4,
      uncheckedColumns: ["ratio", "doc"],
      mismatches: [],
    });
    const text = await verify();
    expect(text.stdout).toContain("verified: 10 rows in 4 key range(s) match cli_verify.wide");
  });

  it("a changed value, a missing row and an extra row in the target fail the run, naming their ranges", async () => {
    await warehouse(`UPDATE ${schema}.wide SET label = 'tampered' WHERE id = 5`);
    const changed = await verify();
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain(
      "differ in 1 of 4 key range(s): keys (4) to (7): source 3 rows, target 3 rows, contents differ",
    );

    await warehouse(
      `DELETE FROM ${schema}.wide WHERE id = 8; INSERT INTO ${schema}.wide (id, updated_at) VALUES (100, now())`,
    );
    const result = await verify("--json");
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.failure).toContain("differ in 3 of 4 key range(s)");
    expect(
      report.verification.mismatches.map(
        (m: { from: string[] | null; to: string[] | null; sourceRows: number; targetRows: number }) => [
          m.from,
          m.to,
          m.sourceRows,
          m.targetRows,
        ],
      ),
    ).toEqual([
      [["4"], ["7"], 3, 3],
      [["7"], ["10"], 3, 2],
      [["10"], null, 1, 2],
    ]);
    // One microsecond off in a timestamp is caught as well.
    await warehouse(`UPDATE ${schema}.wide SET seen = seen + interval '1 microsecond' WHERE id = 2`);
    const micro = JSON.parse((await verify("--json")).stdout);
    expect(micro.verification.mismatches[0]).toMatchObject({
      from: null,
      to: ["4"],
      sourceRows: 3,
      targetRows: 3,
    });
  });
});

describe("no false success: rows extracted but not loaded end the run non-zero with the reason", () => {
  it("a target that drops inserted rows fails the load (rolled back), reports each stage's counts, and a rerun loads", async () => {
    const table = `${schema}.dropped`;
    expect((await sluice(["sync", "-t", table], env)).code).toBe(0);
    await warehouse(`CREATE RULE swallow AS ON INSERT TO ${schema}.dropped DO INSTEAD NOTHING`);
    await connection.query(
      `INSERT INTO ${schema}.dropped VALUES (3, '2026-01-01 00:00:03'), (4, '2026-01-01 00:00:04')`,
    );
    const result = await sluice(["sync", "-t", table, "--json"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the target took 0 of the 2 rows staged (one per key)");
    const report = JSON.parse(result.stdout);
    expect(report.counts).toMatchObject({ extracted: 2, staged: 2, loaded: 0 });
    expect(report.failure).toContain("took 0 of the 2 rows");

    await warehouse(`DROP RULE swallow ON ${schema}.dropped`);
    const rerun = await sluice(["sync", "-t", table, "--json", "--verify-data"], env);
    expect(rerun.code).toBe(0);
    const loaded = JSON.parse(rerun.stdout);
    expect(loaded.counts).toMatchObject({ extracted: 0, loaded: 2, inserted: 2 });
    expect(loaded.verification.mismatches).toEqual([]);
  });
});
