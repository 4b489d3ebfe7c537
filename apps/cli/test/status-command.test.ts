import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createS3ObjectStore } from "@sluice/connectors";
import type { ObjectStore } from "@sluice/core";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { createLeaseStore, leaseHolderFor } from "@sluice/watermark-store";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_status";
const tables = [`${schema}.orders`, `${schema}.items`, `${schema}.notes`];
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let env: Record<string, string>;
let store: ObjectStore;
let cwd: string;

interface StatusJson {
  pipeline: string | null;
  tables: {
    table: string;
    position: string;
    phase: string | null;
    waiting: { rows: number; method: string } | null;
    lastRun: { status: string; runId: string; rowsExtracted: number } | null;
    staged: { runs: number; unloaded: { runId: string; rows: number }[]; ledger: boolean } | null;
    lease: { state: string; host: string; pid: number } | null;
    problems: string[];
  }[];
}

const statusOf = (stdout: string, table: string) => {
  const found = (JSON.parse(stdout) as StatusJson).tables.find((entry) => entry.table === table);
  if (!found) throw new Error(`no status for ${table} in ${stdout}`);
  return found;
};

async function insertOrders(from: number, count: number, at: string) {
  const values = Array.from(
    { length: count },
    (_, index) => `(${from + index}, 'n${from + index}', '${at}')`,
  );
  await connection.query(`INSERT INTO ${schema}.orders VALUES ${values.join(", ")}`);
}

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE orders (id BIGINT PRIMARY KEY, note VARCHAR(40), updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    CREATE TABLE items (id BIGINT PRIMARY KEY, sku VARCHAR(20), updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT, updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO items VALUES (1, 'a', '2026-01-01 00:00:01'), (2, 'b', '2026-01-01 00:00:02');
    INSERT INTO notes VALUES (1, 'x', '2026-01-01 00:00:01');`);
  await insertOrders(1, 500, "2026-01-01 00:00:00");
  const pg = await createTestPgClient(services.postgres);
  await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pg
    .query("DELETE FROM sluice.sluice_load_ledger WHERE source_table = ANY($1)", [tables])
    .catch(() => undefined);
  await pg.end();
  const { s3 } = services;
  const prefix = `cli-status-${randomUUID().slice(0, 8)}`;
  store = createS3ObjectStore({
    bucket: s3.bucket,
    prefix,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
  });
  // The pipeline file names the connections through variables; the commands get no URL flags.
  env = {
    STATUS_SOURCE: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    STATUS_LAKE: `s3://${s3.bucket}/${prefix}`,
    STATUS_TARGET: services.postgres.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
  cwd = await mkdtemp(join(tmpdir(), "sluice-status-"));
  await mkdir(join(cwd, "pipelines"));
  await writeFile(
    join(cwd, "pipelines", "shop.yml"),
    `name: shop
connections:
  source:
    url: \${STATUS_SOURCE}
  lake:
    url: \${STATUS_LAKE}
  target:
    url: \${STATUS_TARGET}
tables:
  - ${schema}.orders
  - ${schema}.items
  - table: ${schema}.notes
    target_name: notes_copy
`,
  );
});
afterAll(async () => {
  await connection?.end();
  store?.close?.();
});

const run = (args: string[]) => sluice(args, env, cwd);

describe("sluice status (MariaDB -> S3 stand-in -> PostgreSQL, pipeline file)", () => {
  it("shows each table before and after runs: position, last run, rows waiting, unloaded runs, lease", async () => {
    // Before any run: no watermark, the whole table waits (InnoDB's figure, labelled).
    const before = await run(["status", "-p", "shop", "--json"]);
    expect(before.stderr).toBe("");
    expect(before.code).toBe(0);
    const fresh = statusOf(before.stdout, `${schema}.orders`);
    expect(fresh.position).toContain("no watermark");
    expect(fresh.waiting?.method).toBe("table-estimate");
    expect(fresh.lastRun).toBeNull();
    expect(fresh.lease).toBeNull();

    expect((await run(["sync", "-p", "shop"])).code).toBe(0);
    // 37 rows change after the run: exactly those wait (a bounded index-range count).
    await insertOrders(1001, 37, "2026-02-01 00:00:00");
    await connection.query(
      `UPDATE ${schema}.items SET sku = 'b2', updated_at = '2026-02-01 00:00:00' WHERE id = 2`,
    );
    await connection.query(`INSERT INTO ${schema}.items VALUES (3, 'c', '2026-02-01 00:00:01')`);
    // items: staged but not loaded.
    expect((await run(["sync", "-p", "shop", "-t", `${schema}.items`, "--backup-only"])).code).toBe(0);

    const after = await run(["status", "-p", "shop", "--json"]);
    expect(after.stderr).toBe("");
    expect(after.code).toBe(0);
    const orders = statusOf(after.stdout, `${schema}.orders`);
    expect(orders.waiting).toEqual({ rows: 37, method: "exact" });
    expect(orders.lastRun).toMatchObject({ status: "ok", rowsExtracted: 500 });
    expect(orders.position).toContain("2026-01-01 00:00:00");
    expect(orders.staged).toMatchObject({ runs: 1, unloaded: [], ledger: true });
    expect(orders.lease?.state).toBe("free");
    const items = statusOf(after.stdout, `${schema}.items`);
    expect(items.waiting).toEqual({ rows: 0, method: "exact" });
    expect(items.lastRun).toMatchObject({ status: "ok", rowsExtracted: 2 });
    expect(items.staged?.runs).toBe(2);
    expect(items.staged?.unloaded).toHaveLength(1);
    expect(items.staged?.unloaded[0]?.rows).toBe(2);
    // notes lands in notes_copy (the file's target_name): the ledger knows its run as loaded.
    expect(statusOf(after.stdout, `${schema}.notes`).staged).toMatchObject({ runs: 1, unloaded: [] });

    const text = await run(["status", "-p", "shop"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^TABLE\s+POSITION\s+LAST RUN\s+WAITING\s+UNLOADED\s+LEASE$/m);
    expect(text.stdout).toMatch(new RegExp(`^${schema}\\.orders .* 37 .* 0 +free$`, "m"));
    expect(text.stdout).toMatch(new RegExp(`^${schema}\\.items .* 1 run\\(s\\), 2 rows`, "m"));
  });

  it("names a live lease's holder, calls an expired one stale", async () => {
    const [schemaName, tableName] = [schema, "notes"];
    const ref = { schema: schemaName, table: tableName };
    const held = await createLeaseStore(store).acquire(
      ref,
      leaseHolderFor("20990101T000000000Z-held", { host: "etl-7", pid: 4242 }),
    );
    expect(held.isOk()).toBe(true);
    const live = await run(["status", "-p", "shop", "-t", `${schema}.notes`, "--json"]);
    expect(statusOf(live.stdout, `${schema}.notes`).lease).toMatchObject({
      state: "held",
      host: "etl-7",
      pid: 4242,
    });
    const text = await run(["status", "-p", "shop", "-t", `${schema}.notes`]);
    expect(text.stdout).toMatch(/etl-7 pid 4242 since \d{4}-/);
    await held._unsafeUnwrap().release();

    // A lease taken an hour ago with a one-minute timeout, never renewed: stale.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    const stale = await createLeaseStore(store, { now: () => anHourAgo, timeoutMs: 60_000 }).acquire(
      ref,
      leaseHolderFor("20990101T000000000Z-stale", { host: "etl-8", pid: 99 }),
    );
    expect(stale.isOk()).toBe(true);
    const shown = await run(["status", "-p", "shop", "-t", `${schema}.notes`, "--json"]);
    expect(statusOf(shown.stdout, `${schema}.notes`).lease).toMatchObject({ state: "stale", host: "etl-8" });
    expect((await run(["status", "-p", "shop", "-t", `${schema}.notes`])).stdout).toContain(
      "STALE etl-8 pid 99",
    );
  });

  it("still shows what the lake says when the source cannot be reached, with the error per table", async () => {
    const down = await run([
      "status",
      "-p",
      "shop",
      "--source",
      "mysql://etl:secret-pw@127.0.0.1:1/cli_status",
      "--json",
    ]);
    expect(down.code).toBe(3);
    const orders = statusOf(down.stdout, `${schema}.orders`);
    expect(orders.position).toContain("2026-01-01 00:00:00");
    expect(orders.lastRun?.status).toBe("ok");
    expect(orders.waiting).toBeNull();
    expect(orders.problems.join("\n")).toMatch(/^source: cannot reach MySQL at 127\.0\.0\.1:1/);
    expect(down.stdout).not.toContain("secret-pw");
  });

  it("estimates a dry run from the table's previous run, within a sane factor of the real one", async () => {
    await insertOrders(5001, 400, "2026-03-01 00:00:00");
    const dry = await run([
      "sync",
      "-p",
      "shop",
      "-t",
      `${schema}.orders`,
      "--dry-run",
      "--estimate",
      "--json",
    ]);
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout).tables[0].report;
    // 37 from the first test and these 400: counted exactly.
    expect(report.estimate).toMatchObject({ rows: 437, rowsMethod: "exact", files: 1, basedOnRuns: 1 });
    expect(report.notes.join("\n")).toMatch(
      /estimate: 437 rows, ~\d+ bytes, 1 file\(s\), ~[\d.]+s at \d+ rows\/s/,
    );

    const real = await run(["sync", "-p", "shop", "-t", `${schema}.orders`, "--json"]);
    expect(real.code).toBe(0);
    const extract = JSON.parse(real.stdout).tables[0].report.extract;
    expect(extract.rows).toBe(437);
    // Bytes per row of a Parquet file shrink as files grow (fixed footer): a factor of 3 is sane.
    expect(report.estimate.bytes).toBeGreaterThan(extract.bytes / 3);
    expect(report.estimate.bytes).toBeLessThan(extract.bytes * 3);
  });

  it("settles watermark get's target name from the pipeline file (no --target-name)", async () => {
    const withFile = await run([
      "watermark",
      "get",
      "-p",
      "shop",
      "-t",
      `${schema}.notes`,
      "--show-files",
      "--json",
    ]);
    expect(withFile.stderr).toBe("");
    expect(withFile.code).toBe(0);
    const shown = JSON.parse(withFile.stdout);
    expect(shown.watermark.table).toBe(`${schema}.notes`);
    expect(shown.stagedRuns).toHaveLength(1);
    expect(shown.stagedRuns[0].loaded).not.toBeNull();
    // The same without -p: the default target (cli_status.notes) has no ledger entry for it.
    const plain = await sluice(
      [
        "watermark",
        "get",
        "-t",
        `${schema}.notes`,
        "--show-files",
        "--json",
        "--lake",
        env.STATUS_LAKE as string,
        "--target",
        env.STATUS_TARGET as string,
      ],
      env,
    );
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout).stagedRuns[0].loaded).toBeNull();

    // validate-counts and reconcile -p -t: source, lake, target and notes_copy from the file.
    const counts = await run([
      "watermark-count",
      "validate-counts",
      "-p",
      "shop",
      "-t",
      `${schema}.notes`,
      "--json",
    ]);
    expect(counts.stderr).toBe("");
    expect(counts.code).toBe(0);
    expect(JSON.parse(counts.stdout).consistent).toBe(true);
    const reconciled = await run(["reconcile", "-p", "shop", "-t", `${schema}.notes`, "--json"]);
    expect(reconciled.stderr).toBe("");
    expect(reconciled.code).toBe(0);
    expect(JSON.parse(reconciled.stdout).reconcile.target).toContain("notes_copy");

    // s3clean list -p: every table of the file, each against its own target (notes_copy for notes).
    const usage = await run(["s3clean", "list", "-p", "shop", "--json"]);
    expect(usage.code).toBe(0);
    const byTable = new Map(
      JSON.parse(usage.stdout).map((entry: { table: string; runs: { loaded: unknown }[] }) => [
        entry.table,
        entry.runs.map((each) => each.loaded !== null),
      ]),
    );
    expect([...byTable.keys()].sort()).toEqual([...tables].sort());
    expect(byTable.get(`${schema}.notes`)).toEqual([true]);
    expect(byTable.get(`${schema}.items`)).toEqual([true, false]);

    // watermark list -p: only the pipeline's tables; a -t outside the file is refused with a hint.
    const listed = await run(["watermark", "list", "-p", "shop", "--json"]);
    expect(listed.code).toBe(0);
    expect(
      JSON.parse(listed.stdout)
        .map((doc: { table: string }) => doc.table)
        .sort(),
    ).toEqual([...tables].sort());
    const typo = await run(["watermark", "get", "-p", "shop", "-t", `${schema}.note`]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(`did you mean ${schema}.notes`);
  });
});
