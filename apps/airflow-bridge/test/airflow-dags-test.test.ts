import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createS3ObjectStore } from "@sluice/connectors";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterEach, describe, expect, inject, it } from "vitest";
import { runBridgeCli } from "../src/index.js";
import { type AirflowHome, airflowHome, airflowVenv, bridgeRoot, repoRoot, run } from "./airflow-harness.js";

/**
 * A generated DAG run by Apache Airflow itself (`airflow dags test`, tasks in-process,
 * SQLite metadata DB) against the private MariaDB, PostgreSQL and S3 stand-in, with the
 * built CLI (apps/cli/dist). One run covers the three outcomes a table task can have:
 * success, a transient failure retried into success, a wrong setting failing at once.
 */
const cli = join(repoRoot, "apps", "cli", "dist", "main.js");
const shim = join(bridgeRoot, "test", "fixtures", "flaky-sluice.mjs");

interface TaskRow {
  task_id: string;
  state: string;
  try_number: number;
  max_tries: number;
  /** Epoch seconds. */
  start_date: number;
  end_date: number;
}
interface States {
  runs: { state: string }[];
  tasks: TaskRow[];
  earlier_tries: { task_id: string; state: string; try_number: number }[];
  xcom: { task_id: string; key: string; value: string }[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function seedSource(schema: string): Promise<void> {
  const mysql = await createTestMysqlConnection(inject("sluiceServices").mysql);
  try {
    await mysql.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
      CREATE TABLE orders (id BIGINT PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, note VARCHAR(40),
        updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
      INSERT INTO orders SELECT seq, seq * 1.25, ELT(1 + seq % 3, NULL, 'x', 'Grüße'),
        TIMESTAMP('2026-01-01 00:00:00') + INTERVAL seq SECOND FROM seq_1_to_40;
      CREATE TABLE order_items (id BIGINT PRIMARY KEY, order_id BIGINT NOT NULL, qty INT NOT NULL,
        updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
      INSERT INTO order_items SELECT seq, 1 + seq % 40, seq % 7, TIMESTAMP('2026-01-02 00:00:00') + INTERVAL seq SECOND
        FROM seq_1_to_60;
      CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL, updated_at TIMESTAMP(6) NOT NULL,
        KEY (updated_at, id));
      INSERT INTO customers SELECT seq, CONCAT('customer ', seq), TIMESTAMP('2026-01-03 00:00:00') + INTERVAL seq SECOND
        FROM seq_1_to_25;
      CREATE TABLE refunds (id BIGINT PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, updated_at TIMESTAMP(6) NOT NULL);
      INSERT INTO refunds SELECT seq, seq, TIMESTAMP('2026-01-04 00:00:00') FROM seq_1_to_5;`);
  } finally {
    await mysql.end();
  }
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pg.end();
}

/** Every column as text, ordered by key, so source and target compare value for value. */
async function sourceRows(schema: string, table: string): Promise<string[][]> {
  const mysql = await createTestMysqlConnection(inject("sluiceServices").mysql);
  try {
    await mysql.query("SET time_zone = '+00:00'");
    const [columns] = await mysql.query(
      "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
      [schema, table],
    );
    const names = (columns as { name: string }[]).map((column) => column.name);
    const select = names.map((name) =>
      name === "updated_at" ? `DATE_FORMAT(${name}, '%Y-%m-%d %H:%i:%s.%f')` : `CAST(${name} AS CHAR)`,
    );
    const [rows] = await mysql.query({
      sql: `SELECT ${select.join(", ")} FROM ${schema}.${table} AS t ORDER BY t.id`,
      rowsAsArray: true,
    });
    return rows as string[][];
  } finally {
    await mysql.end();
  }
}

async function targetRows(schema: string, table: string, columns: readonly string[]): Promise<string[][]> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    await pg.query("SET TIME ZONE 'UTC'");
    const select = columns.map((name) =>
      name === "updated_at" ? `to_char(${name}, 'YYYY-MM-DD HH24:MI:SS.US')` : `${name}::text`,
    );
    const result = await pg.query({
      text: `SELECT ${select.join(", ")} FROM "${schema}"."${table}" AS t ORDER BY t.id`,
      rowMode: "array",
    });
    return result.rows as string[][];
  } finally {
    await pg.end();
  }
}

/**
 * The same four tables two ways: from -t flags (settings as passed-through flags), or
 * from a pipeline file (tables, parallel, depends_on and settings in YAML; the tasks run
 * `sluice sync -p FILE --table T`). Refunds has a wrong setting, a cursor column it
 * lacks, so sluice exits 2. sluice retries a refused connection inside the run first
 * (docs/retries.md), then exits 3; short waits keep that path and the test quick.
 */
async function generate(
  home: AirflowHome,
  schema: string,
  dagId: string,
  via: "flags" | "pipeline",
): Promise<string> {
  const common = [
    ...["dag", "--dag-id", dagId, "-o", home.dags, "--retries", "2", "--retry-delay", "1"],
    ...["--sluice-command", `${process.execPath} ${shim} ${cli}`],
    ...[
      "--env-from-connection",
      "SLUICE_SOURCE_URL=sluice_mysql",
      "--env-from-variable",
      "SLUICE_LAKE_URL=sluice_lake",
    ],
  ];
  const flags = [
    ...[
      "-t",
      `${schema}.orders`,
      "-t",
      `${schema}.order_items`,
      "-t",
      `${schema}.customers`,
      "-t",
      `${schema}.refunds`,
    ],
    ...["--depends-on", `${schema}.order_items=${schema}.orders`, "--max-active-tasks", "2"],
    ...["--table-arg", `${schema}.refunds=--cursor-column=no_such_column`],
    ...["--arg=--rows-per-file", "--arg=16", "--arg=--verify-data"],
    ...["--arg=--retry-base-delay-ms=20", "--arg=--retry-max-delay-ms=100"],
  ];
  const pipelineFile = join(home.home, `${schema}.yml`);
  await writeFile(
    pipelineFile,
    [
      "parallel: 2",
      "retry: { base_delay_ms: 20, max_delay_ms: 100 }",
      "defaults: { rows_per_file: 16, verify_data: true }",
      "tables:",
      `  - ${schema}.orders`,
      `  - { table: ${schema}.order_items, depends_on: [${schema}.orders] }`,
      `  - ${schema}.customers`,
      `  - { table: ${schema}.refunds, cursor_column: no_such_column }`,
      "",
    ].join("\n"),
  );
  let stderr = "";
  const code = await runBridgeCli([...common, ...(via === "flags" ? flags : ["-p", pipelineFile])], {
    stdout: () => {},
    stderr: (text) => {
      stderr += text;
    },
    env: {},
    cwd: home.home,
  });
  expect(stderr).toContain(`wrote ${join(home.dags, `${dagId}.py`)}`);
  expect(code).toBe(0);
  return readFile(join(home.dags, `${dagId}.py`), "utf8");
}

// Airflow 3 is what generated DAGs target; 2.10 runs the same file (imports fall back).
// Tables from a pipeline file on one, from flags on the other: the runtime is the same.
describe.each([
  { series: "3", via: "pipeline" },
  { series: "2.10", via: "flags" },
] as const)(
  "a generated DAG under `airflow dags test` (Airflow $series, tables from $via)",
  ({ series, via }) => {
    it("syncs every good table, retries the transient failure, fails the wrong setting without retrying", async () => {
      const services = inject("sluiceServices");
      const venv = await airflowVenv(series);
      const schema = `af_dags_test_${series.replace(".", "_")}`;
      const dagId = `sluice_${schema}`;
      await seedSource(schema);
      const home = await airflowHome();
      cleanups.push(home.remove);
      const dagSource = await generate(home, schema, dagId, via);
      // The file names no host, user or password: the URLs arrive at run time.
      expect(dagSource).not.toContain(services.mysql.password);
      expect(dagSource).not.toContain(String(services.mysql.port));
      expect(dagSource).not.toContain(services.s3.bucket);

      const prefix = `airflow-${Date.now()}`;
      const flakyDir = await mkdtemp(join(tmpdir(), "sluice-flaky-"));
      cleanups.push(() => rm(flakyDir, { recursive: true, force: true }));
      const env = home.env({
        // Three ways a URL reaches a task: an Airflow connection, an Airflow variable, the worker's environment.
        AIRFLOW_CONN_SLUICE_MYSQL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
        AIRFLOW_VAR_SLUICE_LAKE: `s3://${services.s3.bucket}/${prefix}`,
        SLUICE_TARGET_URL: services.postgres.url,
        AWS_ENDPOINT_URL_S3: services.s3.endpoint,
        AWS_REGION: services.s3.region,
        AWS_ACCESS_KEY_ID: services.s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: services.s3.secretAccessKey,
        SLUICE_TEST_FLAKY_TABLE: `${schema}.customers`,
        SLUICE_TEST_FLAKY_DIR: flakyDir,
      });
      const airflow = join(venv, "bin", "airflow");
      const migrate = await run(airflow, ["db", "migrate"], env);
      expect(migrate.code, migrate.stderr).toBe(0);

      const dagsTest = await run(airflow, ["dags", "test", dagId], env);
      const output = dagsTest.stdout + dagsTest.stderr;
      const statesRun = await run(
        join(venv, "bin", "python"),
        [join(bridgeRoot, "airflow", "task_states.py"), join(home.home, "airflow.db"), dagId],
        env,
      );
      expect(statesRun.code, statesRun.stderr).toBe(0);
      const states = JSON.parse(statesRun.stdout) as States;
      console.log("STATES", JSON.stringify(states.tasks));
      const task = (table: string) => states.tasks.find((row) => row.task_id === `${schema}.${table}`);

      // The run fails as a whole (refunds failed), every other table succeeded.
      expect(states.runs.map((dagRun) => dagRun.state)).toEqual(["failed"]);
      expect(dagsTest.code).not.toBe(0);
      expect(task("orders")).toMatchObject({ state: "success", try_number: 1 });
      expect(task("order_items")).toMatchObject({ state: "success", try_number: 1 });
      // Transient: the first try saw exit 3 (connection refused) and failed, the retry succeeded.
      expect(task("customers")).toMatchObject({ state: "success", try_number: 2 });
      if (series === "3") {
        // Airflow 3 keeps each earlier try (2.10's `dags test` records none).
        expect(states.earlier_tries.filter((row) => row.task_id === `${schema}.customers`)).toEqual([
          { task_id: `${schema}.customers`, state: "failed", try_number: 1 },
        ]);
      }
      expect(output).toContain(`${schema}.customers: sluice exited 3, which is transient`);
      // Terminal: one try although two retries were allowed.
      expect(task("refunds")).toMatchObject({ state: "failed", try_number: 1, max_tries: 2 });
      expect(states.earlier_tries.filter((row) => row.task_id === `${schema}.refunds`)).toEqual([]);
      expect(output).toContain(`${schema}.refunds: sluice exited 2`);
      expect(output).toContain("no_such_column");
      // The dependency held: order_items started after orders ended (2.10's `dags test`
      // records no start dates: there, order_items at least ended after orders).
      const itemsStarted = series === "3" ? task("order_items")?.start_date : task("order_items")?.end_date;
      expect(itemsStarted).toBeGreaterThanOrEqual(task("orders")?.end_date ?? Number.POSITIVE_INFINITY);

      // The run report is each task's XCom return value.
      for (const table of ["orders", "order_items", "customers"]) {
        const xcom = states.xcom.find(
          (row) => row.task_id === `${schema}.${table}` && row.key === "return_value",
        );
        const report = JSON.parse(xcom?.value ?? "null");
        expect(report?.table).toBe(`${schema}.${table}`);
        expect(report?.verification?.mismatches).toEqual([]);
      }

      // Completion markers (what Airflow sensors wait for): a success marker as the latest
      // of each good table, also of the one that failed first; only a failure marker for refunds.
      const lake = createS3ObjectStore({
        bucket: services.s3.bucket,
        prefix,
        endpoint: services.s3.endpoint,
        region: services.s3.region,
        credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
        forcePathStyle: true,
      });
      const markers = (await lake.list("_markers/"))._unsafeUnwrap().map((object) => object.key);
      for (const table of ["orders", "order_items", "customers"]) {
        expect(markers).toContain(`_markers/${schema}.${table}/latest/completion_marker.txt`);
        expect(markers).not.toContain(`_markers/${schema}.${table}/latest/failure_marker.txt`);
      }
      expect(
        markers.filter(
          (key) => key.startsWith(`_markers/${schema}.customers/`) && key.endsWith("/failure_marker.txt"),
        ).length,
      ).toBe(1);
      expect(markers).toContain(`_markers/${schema}.refunds/latest/failure_marker.txt`);
      expect(
        markers.filter(
          (key) => key.startsWith(`_markers/${schema}.refunds/`) && key.endsWith("/completion_marker.txt"),
        ),
      ).toEqual([]);

      // Target equals source, row for row.
      const columns = {
        orders: ["id", "amount", "note", "updated_at"],
        order_items: ["id", "order_id", "qty", "updated_at"],
        customers: ["id", "name", "updated_at"],
      };
      for (const [table, names] of Object.entries(columns)) {
        const source = await sourceRows(schema, table);
        expect(source.length).toBeGreaterThan(0);
        expect(await targetRows(schema, table, names)).toEqual(source);
      }
    }, 1_200_000);
  },
);
