import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalObjectStore } from "@sluice/connectors";
import { createTestMysqlConnection } from "@sluice/test-services";
import { createLeaseStore, leaseHolderFor } from "@sluice/watermark-store";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_errors";

let lakeDir: string;
let sourceUrl: string;
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE events (id INT PRIMARY KEY, payload VARCHAR(20));
    CREATE TABLE notes (body TEXT);
    CREATE TABLE orders (id BIGINT PRIMARY KEY, total DECIMAL(10,2), updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), KEY (updated_at, id));
    INSERT INTO orders (id, total) VALUES (1, 9.99), (2, 19.99);`);
  lakeDir = await mkdtemp(join(tmpdir(), "sluice-cli-lake-"));
  sourceUrl = services.mysql.url.replace(/\/[^/]*$/, `/${schema}`);
});
afterAll(async () => {
  await connection?.end();
});

/** Every failure: exit code, one line on stderr naming the thing, no password, no watermark. */
async function expectOneLineFailure(
  result: { code: number; stdout: string; stderr: string },
  code: number,
  pattern: RegExp,
) {
  expect(result.code).toBe(code);
  const lines = result.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toContain(inject("sluiceServices").mysql.password);
  const watermark = await sluice(["watermark", "list", "--lake", `file://${lakeDir}`]);
  expect(watermark.stdout).toBe("");
}

describe("sluice sync: bad input fails with one actionable line and moves no watermark", () => {
  it("unknown table", async () => {
    const result = await sluice([
      "sync",
      "--backup-only",
      "-t",
      `${schema}.nope`,
      "--source",
      sourceUrl,
      "--lake",
      `file://${lakeDir}`,
    ]);
    await expectOneLineFailure(result, 2, new RegExp(`${schema}\\.nope`));
  });

  it("table without a usable cursor names the strategy that fits", async () => {
    const result = await sluice([
      "sync",
      "--backup-only",
      "-t",
      `${schema}.events`,
      "--source",
      sourceUrl,
      "--lake",
      `file://${lakeDir}`,
    ]);
    await expectOneLineFailure(result, 2, /--strategy id/);
  });

  it("unreachable host is transient (exit 3)", async () => {
    const result = await sluice([
      "sync",
      "--backup-only",
      "-t",
      `${schema}.orders`,
      "--source",
      "mysql://u:p@127.0.0.1:1/db",
      "--lake",
      `file://${lakeDir}`,
    ]);
    await expectOneLineFailure(result, 3, /127\.0\.0\.1:1/);
  });

  it("wrong password names the user, not the password", async () => {
    const { mysql } = inject("sluiceServices");
    const url = `mysql://${mysql.user}:not-the-password-42@${mysql.host}:${mysql.port}/${schema}`;
    const result = await sluice([
      "sync",
      "--backup-only",
      "-t",
      `${schema}.orders`,
      "--source",
      url,
      "--lake",
      `file://${lakeDir}`,
    ]);
    await expectOneLineFailure(result, 2, new RegExp(mysql.user));
    expect(result.stderr).not.toContain("not-the-password-42");
  });

  it("missing bucket", async () => {
    const { s3 } = inject("sluiceServices");
    const env = {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    const result = await sluice(
      [
        "sync",
        "--backup-only",
        "-t",
        `${schema}.orders`,
        "--source",
        sourceUrl,
        "--lake",
        "s3://no-such-bucket-sluice/x",
      ],
      env,
    );
    await expectOneLineFailure(result, 2, /no-such-bucket-sluice/);
  });

  it("malformed URLs and flags", async () => {
    await expectOneLineFailure(
      await sluice([
        "sync",
        "-t",
        `${schema}.orders`,
        "--source",
        "mysql//oops",
        "--lake",
        `file://${lakeDir}`,
        "--target",
        "postgres://x@h/db",
      ]),
      2,
      /expected mysql:\/\/user:\*\*\*@host/,
    );
    await expectOneLineFailure(
      await sluice([
        "sync",
        "--backup-only",
        "-t",
        "orders",
        "--source",
        sourceUrl,
        "--lake",
        `file://${lakeDir}`,
      ]),
      2,
      /schema\.table/,
    );
    await expectOneLineFailure(
      await sluice([
        "sync",
        "--backup-only",
        "-t",
        `${schema}.orders`,
        "--source",
        sourceUrl,
        "--lake",
        `file://${lakeDir}`,
        "--limit",
        "-5",
      ]),
      2,
      /--limit/,
    );
  });
});

describe("sluice sync: target name and DDL flags", () => {
  it("refuses malformed DDL flags and unknown columns before loading anything", async () => {
    const { postgres } = inject("sluiceServices");
    const base = [
      "sync",
      "-t",
      `${schema}.events`,
      "--strategy",
      "id",
      "--source",
      sourceUrl,
      "--lake",
      `file://${lakeDir}`,
      "--target",
      postgres.url,
    ];
    const ddlLake = ["--lake", `file://${lakeDir}-ddl`];
    await expectOneLineFailure(
      await sluice([...base, "--dist-style", "random"]),
      2,
      /--dist-style must be one of auto, even, key, all/,
    );
    await expectOneLineFailure(
      await sluice([...base, "--encode", "payload"]),
      2,
      /--encode must be column=encoding pairs separated by commas \(e\.g\. note=zstd,id=az64\), got "payload"/,
    );
    await expectOneLineFailure(
      await sluice([...base, "--target-name", "2024 events"]),
      2,
      /use "col_2024_events"/,
    );
    // Column names are checked against the run's columns once they are known.
    const unknown = await sluice([...base, ...ddlLake, "--redshift-only", "--sort-key", "nope"]);
    expect(unknown.stderr).toBe("");
    expect(unknown.code).toBe(0); // nothing staged yet: nothing to load, nothing to check
    await connection.query(`INSERT INTO ${schema}.events VALUES (1, 'x')`);
    const staged = await sluice([...base, ...ddlLake, "--backup-only"]);
    expect(staged.stderr).toBe("");
    expect(staged.code).toBe(0);
    const bad = await sluice([...base, ...ddlLake, "--redshift-only", "--dist-key", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--dist-key column "nope" is not a column of the table; choose one of id, payload/,
    );
  });

  it("loads into the named target table", async () => {
    const { postgres } = inject("sluiceServices");
    const result = await sluice([
      "sync",
      "-t",
      `${schema}.orders`,
      "--source",
      sourceUrl,
      "--lake",
      `file://${lakeDir}-named`,
      "--target",
      postgres.url,
      "--target-schema",
      "CLI_Named",
      "--target-name",
      "Orders_Copy",
      "--sort-key",
      "updated_at,id",
      "--json",
    ]);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).load.target).toBe("cli_named.orders_copy");
  });
});

describe("sluice sync: happy path through the command line", () => {
  it("reads URLs from SLUICE_* variables and reports JSON", async () => {
    const { postgres } = inject("sluiceServices");
    const env = {
      SLUICE_SOURCE_URL: sourceUrl,
      SLUICE_LAKE_URL: `file://${lakeDir}`,
      SLUICE_TARGET_URL: postgres.url,
    };
    const result = await sluice(["sync", "-t", `${schema}.orders`, "--json"], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.extract.rows).toBe(2);
    expect(report.load.rowsStaged).toBe(2);
    const watermark = await sluice(["watermark", "get", "--json", "-t", `${schema}.orders`], env);
    expect(JSON.parse(watermark.stdout).extract.position.keyValues).toEqual(["2"]);
  });

  it("shows an initial snapshot in progress in the run text, watermark get and watermark list", async () => {
    const env = {
      SLUICE_SOURCE_URL: sourceUrl,
      SLUICE_LAKE_URL: `file://${await mkdtemp(join(tmpdir(), "sluice-cli-snap-"))}`,
    };
    const result = await sluice(["sync", "--backup-only", "-t", `${schema}.orders`, "--limit", "1"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /watermark now initial snapshot \(primary-key order, below [-0-9: .]+\) after key \(1\)/,
    );
    const watermark = JSON.parse(
      (await sluice(["watermark", "get", "--json", "-t", `${schema}.orders`], env)).stdout,
    );
    const text = await sluice(["watermark", "get", "-t", `${schema}.orders`], env);
    expect(text.stdout).toContain(
      `up to (initial snapshot below ${watermark.extract.snapshot.ceiling}, after key (1)) (phase snapshot)`,
    );
    expect(watermark.extract.phase).toBe("snapshot");
    expect(watermark.extract.snapshot.afterKey).toEqual(["1"]);
    expect(watermark.extract.position).toBeNull();
    const list = await sluice(["watermark", "list"], env);
    expect(list.stdout).toContain(
      `initial snapshot below ${watermark.extract.snapshot.ceiling}, after key (1)`,
    );
    const rest = JSON.parse(
      (await sluice(["sync", "--backup-only", "-t", `${schema}.orders`, "--json"], env)).stdout,
    );
    expect(rest.extract.snapshot.complete).toBe(true);
    expect(rest.extract.to.keyValues).toEqual(["2"]);
    const ordered = await sluice(
      [
        "sync",
        "--backup-only",
        "-t",
        `${schema}.orders`,
        "--json",
        "--no-initial-snapshot",
        "--lake",
        `file://${await mkdtemp(join(tmpdir(), "sluice-cli-ordered-"))}`,
      ],
      env,
    );
    expect(JSON.parse(ordered.stdout).extract.phase).toBe("incremental");
  });
});

describe("sluice sync: another run holds the table", () => {
  it("exits 4 with one line naming the holder and its age, and moves no watermark", async () => {
    const lake = await mkdtemp(join(tmpdir(), "sluice-cli-lease-"));
    const holder = leaseHolderFor("20260101T000000000Z-busy", { host: "airflow-worker-3", pid: 777 });
    const held = await createLeaseStore(createLocalObjectStore({ directory: lake })).acquire(
      { schema, table: "orders" },
      holder,
    );
    expect(held.isOk()).toBe(true);
    const result = await sluice([
      "sync",
      "--backup-only",
      "-t",
      `${schema}.orders`,
      "--source",
      sourceUrl,
      "--lake",
      `file://${lake}`,
      "--lease-timeout",
      "30",
    ]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      new RegExp(
        `^sluice: table ${schema}\\.orders is held by run 20260101T000000000Z-busy on airflow-worker-3 \\(pid 777\\) since \\d+s ago, last renewed \\d+s ago; .*expires in 1[45]m\\d\\ds.*\\n$`,
      ),
    );
    const watermark = await sluice(["watermark", "list", "--lake", `file://${lake}`]);
    expect(watermark.stdout).toBe("");
  });
});
