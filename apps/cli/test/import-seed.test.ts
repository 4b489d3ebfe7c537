import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createS3ObjectStore } from "@sluice/connectors";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

// Watermark documents as the replaced system's manual documents them (field names
// and shapes), one per shape.
const legacySeed = {
  table_name: "cli_seed.parcels",
  last_mysql_data_timestamp: "2026-01-01T00:00:02Z",
  last_mysql_extraction_time: "2026-01-01T00:05:00Z",
  last_processed_id: 2,
  mysql_status: "success",
  mysql_rows_extracted: 2,
  redshift_status: "success",
  redshift_rows_loaded: 2,
  backup_strategy: "sequential",
  processed_s3_files: ["s3://old/incremental/chunk_001.parquet"],
};
const v2Seed = {
  table_name: "cli_seed.parcels",
  last_mysql_data_timestamp: "2026-01-01 00:00:03",
  last_processed_id: 4,
  mysql_state: { status: "success", total_rows: 4, last_session_rows: 2 },
  s3_state: { backup_s3_files: [], processed_s3_files: ["a.parquet", "b.parquet"] },
  redshift_state: { status: "success", rows_loaded: 4 },
};

const schema = "cli_seed";
const table = `${schema}.parcels`;
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  // Rows 1-4 were copied by the old system; 5 and 6 (one of them tied on the stamp of
  // the seed's last row, behind its id) were not.
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE parcels (id BIGINT PRIMARY KEY, status VARCHAR(20) NOT NULL,
      updated_at TIMESTAMP NOT NULL, KEY (updated_at, id));
    INSERT INTO parcels VALUES (1, 'new', '2026-01-01 00:00:01'), (2, 'new', '2026-01-01 00:00:02'),
      (3, 'sent', '2026-01-01 00:00:03'), (4, 'sent', '2026-01-01 00:00:03'),
      (5, 'sent', '2026-01-01 00:00:03'), (6, 'lost', '2026-01-01 00:00:09');`);
  const pg = await createTestPgClient(services.postgres);
  await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pg.end();
  dir = await mkdtemp(join(tmpdir(), "sluice-cli-seed-"));
  env = {
    SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    SLUICE_TARGET_URL: services.postgres.url,
    AWS_ENDPOINT_URL_S3: services.s3.endpoint,
    AWS_REGION: services.s3.region,
    AWS_ACCESS_KEY_ID: services.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: services.s3.secretAccessKey,
  };
});
afterAll(async () => {
  await connection?.end();
});

describe("sluice watermark import-seed", () => {
  it("continues after the legacy seed's position: only the rows it had not copied move", async () => {
    const lake = { ...env, SLUICE_LAKE_URL: `file://${await mkdtemp(join(dir, "lake-"))}` };
    const seedPath = join(dir, "legacy.json");
    await writeFile(seedPath, JSON.stringify(legacySeed));
    const imported = await sluice(["watermark", "import-seed", "-t", table, "--from", seedPath], lake);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      "imported the legacy seed watermark: position (2026-01-01 00:00:02, 2)",
    );
    expect(imported.stdout).toContain("1 file(s) the seed recorded as loaded are not tracked");

    const document = JSON.parse((await sluice(["watermark", "get", "-t", table, "--json"], lake)).stdout);
    expect(document.extract.position).toEqual({ cursorValue: "2026-01-01 00:00:02", keyValues: ["2"] });
    expect(document.extract.rowsTotal).toBe(2);
    expect(document.load).toBeNull();
    expect(imported.stdout).toContain("the seed's loaded count (2) is not imported");

    const synced = await sluice(["sync", "-t", table, "--json"], lake);
    expect(synced.code).toBe(0);
    const report = JSON.parse(synced.stdout);
    expect(report.counts.extracted).toBe(4);
    expect(report.cumulative.extracted).toBe(6);
    const pg = await createTestPgClient(inject("sluiceServices").postgres);
    try {
      const rows = (await pg.query(`SELECT id::int AS id FROM ${schema}.parcels ORDER BY id`)).rows;
      expect(rows.map((row) => row.id)).toEqual([3, 4, 5, 6]);
    } finally {
      await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pg.end();
    }
  });

  it("reads a v2.0 seed from S3, refuses to overwrite a sluice watermark without --force", async () => {
    const services = inject("sluiceServices");
    // Written where the old system kept it: outside sluice's lake.
    const oldBucket = createS3ObjectStore({
      bucket: services.s3.bucket,
      prefix: "seed/watermarks/v2",
      endpoint: services.s3.endpoint,
      region: services.s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
    });
    (await oldBucket.put("cli_seed.parcels.json", JSON.stringify(v2Seed)))._unsafeUnwrap();
    const lake = { ...env, SLUICE_LAKE_URL: `file://${await mkdtemp(join(dir, "lake-"))}` };
    const from = `s3://${services.s3.bucket}/seed/watermarks/v2/cli_seed.parcels.json`;
    const first = await sluice(["watermark", "import-seed", "-t", table, "--from", from, "--json"], lake);
    expect(first.code).toBe(0);
    const document = JSON.parse(first.stdout);
    expect(document.extract.position).toEqual({ cursorValue: "2026-01-01 00:00:03", keyValues: ["4"] });
    expect(document.extract.rowsTotal).toBe(4);

    const again = await sluice(["watermark", "import-seed", "-t", table, "--from", from], lake);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain("already has a sluice watermark");
    expect(again.stderr).toContain("--force");
    expect(
      (await sluice(["watermark", "import-seed", "-t", table, "--from", from, "--force"], lake)).code,
    ).toBe(0);

    const synced = JSON.parse((await sluice(["sync", "-t", table, "--backup-only", "--json"], lake)).stdout);
    expect(synced.counts.extracted).toBe(2);
  });

  it("refuses documents it cannot read exactly, naming the file and the fix", async () => {
    const lake = { ...env, SLUICE_LAKE_URL: `file://${await mkdtemp(join(dir, "lake-"))}` };
    const cases: Array<[string, string, RegExp]> = [
      ["not-json.json", "{", /not JSON/],
      [
        "offset.json",
        JSON.stringify({ ...legacySeed, last_mysql_data_timestamp: "2026-01-01T02:00:00+02:00" }),
        /not a UTC date-time/,
      ],
      [
        "empty.json",
        JSON.stringify({ mysql_status: "success" }),
        /neither last_mysql_data_timestamp nor last_processed_id/,
      ],
      ["wrong.json", JSON.stringify({ mysql_state: { total_rows: "many" } }), /mysql_state.total_rows/],
    ];
    for (const [name, body, message] of cases) {
      const path = join(dir, name);
      await writeFile(path, body);
      const result = await sluice(["watermark", "import-seed", "-t", table, "--from", path], lake);
      expect({ name, code: result.code }).toEqual({ name, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain(path);
    }
    const missing = await sluice(
      ["watermark", "import-seed", "-t", table, "--from", join(dir, "nope.json")],
      lake,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("ENOENT");
    expect((await sluice(["watermark", "get", "-t", table], lake)).stdout).toContain("no watermark yet");
  });
});
