// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline files spell variables ${VAR}; these strings are such files
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_pipeline";
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let dir: string;
let env: Record<string, string>;

async function warehouse(sql: string): Promise<string[][]> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    return (await pg.query({ text: sql, rowMode: "array" })).rows as string[][];
  } finally {
    await pg.end();
  }
}

async function source(sql: string): Promise<string[][]> {
  const [rows] = await connection.query({ sql, rowsAsArray: true });
  return rows as string[][];
}

/** Every row of a table as text, in key order, on both sides. */
async function sameRows(table: string, targetTable: string, columns: string): Promise<void> {
  const mysqlRows = (await source(`SELECT ${columns} FROM ${schema}.${table} ORDER BY id`)).map((row) =>
    row.map(String),
  );
  const pgRows = (await warehouse(`SELECT ${columns} FROM ${targetTable} ORDER BY id`)).map((row) =>
    row.map(String),
  );
  expect(pgRows).toEqual(mysqlRows);
}

const pipelineFile = (extra = "") => `
name: shop
connections:
  source:
    host: 127.0.0.1
    port: \${MYSQL_PORT}
    user: \${MYSQL_USER}
    password: \${MYSQL_PASSWORD}
    database: ${schema}
  lake:
    url: file://\${LAKE_DIR}
  target:
    url: \${PG_URL}
    schema: cli_pipeline_dw
parallel: 2
retry:
  attempts: 1
defaults:
  page_size: 7
tables:
  - table: ${schema}.orders
  - table: ${schema}.events
    write_mode: append
    target_name: event_log
  - table: ${schema}.ledger
    strategy: id
  - table: ${schema}.broken
    cursor_column: no_such_column
  - table: ${schema}.archive
    enabled: false
${extra}`;

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    SET time_zone = '+00:00';
    CREATE TABLE orders (id INT PRIMARY KEY, amount DECIMAL(10,2), updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO orders SELECT seq, seq * 1.5, TIMESTAMP('2026-01-01') + INTERVAL seq SECOND FROM seq_1_to_40;
    CREATE TABLE events (id INT PRIMARY KEY, kind VARCHAR(10), updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO events SELECT seq, 'click', TIMESTAMP('2026-01-01') + INTERVAL seq SECOND FROM seq_1_to_25;
    CREATE TABLE ledger (id BIGINT PRIMARY KEY, note VARCHAR(20));
    INSERT INTO ledger SELECT seq, CONCAT('n', seq) FROM seq_1_to_30;
    CREATE TABLE broken (id INT PRIMARY KEY, updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO broken SELECT seq, TIMESTAMP('2026-01-01') FROM seq_1_to_3;
    CREATE TABLE archive (id INT PRIMARY KEY, updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));`);
  await warehouse("DROP SCHEMA IF EXISTS cli_pipeline_dw CASCADE");
  dir = await mkdtemp(join(tmpdir(), "sluice-cli-pipeline-"));
  await mkdir(join(dir, "pipelines"));
  await mkdir(join(dir, "lake"));
  await writeFile(join(dir, "pipelines", "shop.yml"), pipelineFile());
  env = {
    MYSQL_PORT: String(services.mysql.port),
    MYSQL_USER: services.mysql.user,
    MYSQL_PASSWORD: services.mysql.password,
    LAKE_DIR: join(dir, "lake"),
    PG_URL: services.postgres.url,
  };
});
afterAll(async () => {
  await connection?.end();
});

describe("sync -p: a pipeline of tables", () => {
  it("runs every enabled table, two at a time; a failing table fails alone, named, with its exit code", async () => {
    const run = await sluice(["sync", "-p", "shop", "--json"], env, dir);
    const document = JSON.parse(run.stdout) as {
      pipeline: string;
      exitCode: number;
      tables: {
        table: string;
        status: string;
        exitCode: number;
        rows: number;
        error: { message: string } | null;
      }[];
    };
    expect(document.pipeline).toBe("shop");
    const byTable = Object.fromEntries(document.tables.map((entry) => [entry.table, entry]));
    expect(Object.keys(byTable)).toEqual([
      `${schema}.orders`,
      `${schema}.events`,
      `${schema}.ledger`,
      `${schema}.broken`,
    ]);
    expect(byTable[`${schema}.orders`]).toMatchObject({ status: "ok", rows: 40 });
    expect(byTable[`${schema}.events`]).toMatchObject({ status: "ok", rows: 25 });
    expect(byTable[`${schema}.ledger`]).toMatchObject({ status: "ok", rows: 30 });
    expect(byTable[`${schema}.broken`]?.status).toBe("failed");
    expect(byTable[`${schema}.broken`]?.error?.message).toContain("no_such_column");
    // The only failure is one of configuration: the run's code says so.
    expect(byTable[`${schema}.broken`]?.exitCode).toBe(2);
    expect(document.exitCode).toBe(2);
    expect(run.code).toBe(2);
    // Per-table settings took effect: target schema from the connection, a renamed append table.
    await sameRows("orders", "cli_pipeline_dw.orders", "id, amount");
    await sameRows("events", "cli_pipeline_dw.event_log", "id, kind");
    await sameRows("ledger", "cli_pipeline_dw.ledger", "id, note");
    // No secret reaches the output.
    expect(run.stdout + run.stderr).not.toContain(env.MYSQL_PASSWORD as string);
  });

  it("runs one after another with -s sequential, picks tables by glob, and moves only what changed", async () => {
    await connection.query(`USE ${schema};
      INSERT INTO orders VALUES (41, 99.5, TIMESTAMP('2026-02-01'));
      UPDATE orders SET amount = 0, updated_at = TIMESTAMP('2026-02-02') WHERE id = 3;
      INSERT INTO events VALUES (26, 'view', TIMESTAMP('2026-02-01'));`);
    const run = await sluice(
      ["sync", "-p", "shop", "-t", `${schema}.o*`, "-t", `${schema}.events`, "-s", "sequential"],
      env,
      dir,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // The summary: one line per table with status and rows this run.
    expect(run.stdout).toMatch(/pipeline shop run \S+: 2 of 2 table\(s\) ok/);
    expect(run.stdout).toMatch(new RegExp(`${schema}\\.orders\\s+ok\\s+2\\s`));
    expect(run.stdout).toMatch(new RegExp(`${schema}\\.events\\s+ok\\s+1\\s`));
    expect(run.stdout).not.toContain(`${schema}.ledger`);
    await sameRows("orders", "cli_pipeline_dw.orders", "id, amount");
    // The append table took the one new event: 25 + 1 rows.
    expect(await warehouse("SELECT count(*) FROM cli_pipeline_dw.event_log")).toEqual([["26"]]);
  });

  it("a typed flag wins over the file (config shows --page-size 5 over the file's 7); a disabled table runs when named", async () => {
    const config = await sluice(
      ["config", "-p", "shop", "-t", `${schema}.events`, "--page-size", "5", "--json"],
      env,
      dir,
    );
    expect(config.code).toBe(0);
    const view = JSON.parse(config.stdout) as {
      run: Record<string, { value: string; source: string; from: string }>;
      tables: { table: string; settings: Record<string, { value: string; source: string; from: string }> }[];
    };
    const events = view.tables[0]?.settings ?? {};
    expect(events.pageSize).toEqual({ value: "5", source: "flag", from: "--page-size" });
    expect(events.writeMode).toMatchObject({ value: "append", source: "file" });
    expect(events.targetName).toMatchObject({ value: "event_log", source: "file" });
    expect(events.strategy).toMatchObject({ value: "hybrid", source: "default" });
    expect(view.run.source?.value).toContain(":***@");
    expect(config.stdout).not.toContain(env.MYSQL_PASSWORD as string);

    const archived = await sluice(
      ["sync", "-p", "shop", "-t", `${schema}.archive`, "--parallel", "3"],
      env,
      dir,
    );
    expect(archived.code).toBe(0);
    expect(archived.stdout).toMatch(/1 of 1 table\(s\) ok/);
  });
});

describe("sync -p: depends_on", () => {
  it("skips a table whose dependency failed, and a cycle, each with its reason; the others still run", async () => {
    const base = pipelineFile().split("tables:")[0];
    await writeFile(
      join(dir, "pipelines", "deps.yml"),
      `${base}tables:
  - table: ${schema}.broken
    cursor_column: no_such_column
  - table: ${schema}.ledger
    strategy: id
    depends_on: [${schema}.broken]
  - table: ${schema}.orders
`,
    );
    const run = await sluice(["sync", "-p", "deps", "--json"], env, dir);
    const document = JSON.parse(run.stdout) as {
      exitCode: number;
      tables: { table: string; status: string; exitCode: number; note?: string }[];
    };
    const byTable = Object.fromEntries(document.tables.map((entry) => [entry.table, entry]));
    expect(byTable[`${schema}.broken`]).toMatchObject({ status: "failed", exitCode: 2 });
    expect(byTable[`${schema}.ledger`]).toMatchObject({ status: "skipped", exitCode: 1 });
    expect(byTable[`${schema}.ledger`]?.note).toContain(
      `${schema}.broken, which it depends on, did not succeed`,
    );
    expect(byTable[`${schema}.orders`]?.status).toBe("ok");
    // Codes 2 and 1 differ: the run's code is 1.
    expect(run.code).toBe(1);

    await writeFile(
      join(dir, "pipelines", "cycle.yml"),
      `${base}tables:
  - table: ${schema}.ledger
    strategy: id
    depends_on: [${schema}.orders]
  - table: ${schema}.orders
    depends_on: [${schema}.ledger]
`,
    );
    const cycle = await sluice(["sync", "-p", "cycle"], env, dir);
    expect(cycle.code).toBe(2);
    expect(cycle.stdout).toContain("its depends_on forms a cycle");
  });
});

describe("sync -p through bastions", () => {
  it("reaches MySQL and the warehouse each through its own SSH bastion, host keys pinned", async () => {
    const services = inject("sluiceServices");
    const keyPath = join(dir, "bastion_key");
    await writeFile(keyPath, services.ssh.privateKey, { mode: 0o600 });
    const bastion = `ssh://${services.ssh.user}@127.0.0.1:${services.ssh.port}`;
    const ssh = `    ssh:\n      bastion: ${bastion}\n      key_path: ${keyPath}\n      host_key: "${services.ssh.hostKeyFingerprint}"\n`;
    const pg = new URL(services.postgres.url);
    const text = [
      "connections:",
      "  source:",
      `    url: \${MYSQL_URL}`,
      ssh.trimEnd(),
      "  lake:",
      `    url: file://${join(dir, "lake-bastion")}`,
      "  target:",
      "    dialect: postgres",
      `    host: ${pg.hostname}`,
      `    port: ${pg.port}`,
      `    user: ${decodeURIComponent(pg.username)}`,
      "    password: ${PG_PASSWORD}",
      `    database: ${pg.pathname.slice(1)}`,
      "    schema: cli_pipeline_tunnel",
      ssh.trimEnd(),
      "tables:",
      `  - table: ${schema}.ledger`,
      "    strategy: id",
    ].join("\n");
    await writeFile(join(dir, "pipelines", "tunnel.yml"), text);
    const run = await sluice(
      ["sync", "-p", "tunnel", "--json"],
      {
        MYSQL_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
        PG_PASSWORD: decodeURIComponent(pg.password),
      },
      dir,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    await sameRows("ledger", "cli_pipeline_tunnel.ledger", "id, note");
    // A wrong pin on the target's bastion stops the run before any password is sent.
    await writeFile(
      join(dir, "pipelines", "tunnel-bad.yml"),
      text.replace(
        /host_key: "SHA256:[^"]+"\n(?![\s\S]*host_key)/,
        'host_key: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"\n',
      ),
    );
    const refused = await sluice(
      ["sync", "-p", "tunnel-bad"],
      { MYSQL_URL: services.mysql.url, PG_PASSWORD: "x" },
      dir,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(services.ssh.hostKeyFingerprint);
  });
});

describe("sluice config", () => {
  it("validates a file without connecting, and names line:column, key and fix for a bad one", async () => {
    const good = await sluice(["config", "validate", "-p", "shop"], env, dir);
    expect(good.stdout).toContain("valid; 4 table(s) would run, 2 at a time");
    expect(good.code).toBe(0);
    await writeFile(
      join(dir, "pipelines", "bad.yml"),
      "tables:\n  - table: a.b\n    page_size: -3\n    write_mod: x\n",
    );
    const bad = await sluice(["config", "validate", "-p", "bad"], env, dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yml:3:16: tables\.0\.page_size/);
    expect(bad.stderr).toMatch(
      /bad\.yml:4:5: tables\.0\.write_mod is not a known key; did you mean write_mode\?/,
    );
  });

  it("refuses a value its flag's parser refuses, naming line:column and key, before any table runs", async () => {
    const base = pipelineFile().split("tables:")[0];
    await writeFile(
      join(dir, "pipelines", "bad-values.yml"),
      `${base}tables:
  - table: ${schema}.orders
    reconcile_deletes: weekly
  - table: ${schema}.ledger
    strategy: id
    encode: note
`,
    );
    const problems = [
      /bad-values\.yml:\d+:24: tables\.0\.reconcile_deletes must be off, every, or a number of hours such as 24h or 24-hours, got "weekly"/,
      /bad-values\.yml:\d+:13: tables\.1\.encode must be column=encoding pairs separated by commas \(e\.g\. note=zstd,id=az64\), got "note"/,
    ];
    const validated = await sluice(["config", "validate", "-p", "bad-values"], env, dir);
    expect(validated.code).toBe(2);
    for (const problem of problems) expect(validated.stderr).toMatch(problem);
    const run = await sluice(["sync", "-p", "bad-values", "--json"], env, dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    for (const problem of problems) expect(run.stderr).toMatch(problem);
  });

  it("shows parsed flags in the form they are typed", async () => {
    const shown = await sluice(
      [
        "config",
        "-p",
        "shop",
        "-t",
        `${schema}.orders`,
        "--since",
        "2025-09-09 12:00",
        "--reconcile-deletes",
        "24h",
        "--strategy-option",
        "a=1",
        "--encode",
        "amount=zstd",
        "--json",
      ],
      env,
      dir,
    );
    expect(shown.code, shown.stderr).toBe(0);
    const settings = (
      JSON.parse(shown.stdout) as { tables: { settings: Record<string, { value: unknown }> }[] }
    ).tables[0]?.settings;
    expect(settings?.since?.value).toBe("2025-09-09T12:00:00.000Z");
    expect(settings?.reconcileDeletes?.value).toBe("24h");
    expect(settings?.strategyOption?.value).toEqual(["a=1"]);
    expect(settings?.encode?.value).toEqual(["amount=zstd"]);
    expect(settings?.pageSize?.value).toBe("7");
  });

  it("prints every resolved value with its source: file line, environment, default", async () => {
    const shown = await sluice(["config", "-p", "shop"], { ...env, SLUICE_SSH_BASTION: "" }, dir);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^pipeline shop \(.*shop\.yml\)$/m);
    expect(shown.stdout).toMatch(
      /^ {2}source +mysql:\/\/\S+:\*\*\*@127\.0\.0\.1:\d+\/cli_pipeline +file .*shop\.yml:5:5$/m,
    );
    expect(shown.stdout).toMatch(/^ {2}page-size +7 +file .*shop\.yml:\d+:\d+$/m);
  });

  it("warns about a literal password", async () => {
    const literal = pipelineFile().replace("password: ${MYSQL_PASSWORD}", "password: hunter2");
    await writeFile(join(dir, "pipelines", "literal.yml"), literal);
    const shown = await sluice(["config", "-p", "literal"], env, dir);
    expect(shown.stdout).toMatch(
      /warning: .*literal\.yml:8:15: connections\.source\.password holds a literal password/,
    );
    expect(shown.stdout).not.toContain("hunter2");
  });

  it("imports the replaced system's .env into a pipeline file that runs", async () => {
    const services = inject("sluiceServices");
    const work = await mkdtemp(join(tmpdir(), "sluice-import-env-"));
    await mkdir(join(work, "lake"));
    const pg = new URL(services.postgres.url);
    await writeFile(
      join(work, ".env"),
      [
        "DB_HOST=127.0.0.1",
        `DB_PORT=${services.mysql.port}`,
        `DB_USER=${services.mysql.user}`,
        `DB_PASSWORD=${services.mysql.password}`,
        `DB_DATABASE=${schema}`,
        "S3_BUCKET_NAME=analytics-lake",
        "S3_INCREMENTAL_PATH=/incremental/",
        "S3_REGION=eu-west-1",
        "S3_SECRET_KEY=very-secret",
        "S3_ACCESS_KEY=AKIAEXAMPLE",
        `REDSHIFT_HOST=${pg.hostname}`,
        `REDSHIFT_PORT=${pg.port}`,
        `REDSHIFT_USER=${decodeURIComponent(pg.username)}`,
        `REDSHIFT_PASSWORD=${decodeURIComponent(pg.password)}`,
        `REDSHIFT_DATABASE=${pg.pathname.slice(1)}`,
        "BACKUP_BATCH_SIZE=5000",
        "BACKUP_MAX_WORKERS=3",
        "LOG_LEVEL=WARNING",
        "DB_CHARSET=utf8mb4",
      ].join("\n"),
    );
    const imported = await sluice(
      ["config", "import-env", ".env", "-o", "pipelines/legacy.yml", "-t", `${schema}.ledger`],
      {},
      work,
    );
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain("not carried over (no sluice equivalent): DB_CHARSET");
    const yaml = await readFile(join(work, "pipelines", "legacy.yml"), "utf8");
    expect(yaml).toContain('url: "s3://analytics-lake/incremental"');
    expect(yaml).toContain('password: "${DB_PASSWORD}"');
    expect(yaml).toContain('schema: "public"');
    expect(yaml).toContain("parallel: 3");
    expect(yaml).toContain("page_size: 5000");
    expect(yaml).toContain("log_level: warn");
    expect(yaml).not.toContain("very-secret");
    expect(yaml).not.toContain(services.mysql.password);
    // The file resolves through the same .env (loaded by sluice, under the environment).
    const shown = await sluice(["config", "-p", "legacy", "--json"], {}, work);
    const view = JSON.parse(shown.stdout) as { run: Record<string, { value: string }>; parallel: number };
    expect(view.run.source?.value).toBe(
      `mysql://${services.mysql.user}:***@127.0.0.1:${services.mysql.port}/${schema}`,
    );
    expect(view.run.AWS_SECRET_ACCESS_KEY?.value).toBe("***");
    expect(view.parallel).toBe(3);
    // The target is Redshift by parts; here PostgreSQL stands in, so point the lake and
    // target at local ones with flags and run it for real: flags win over the file.
    const run = await sluice(
      [
        "sync",
        "-p",
        "legacy",
        "--lake",
        `file://${join(work, "lake")}`,
        "--target",
        services.postgres.url,
        "--target-schema",
        "cli_pipeline_legacy",
        "--strategy",
        "id",
      ],
      {},
      work,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    await sameRows("ledger", "cli_pipeline_legacy.ledger", "id, note");
  });

  it("refuses an import without tables or without the source settings, saying what is missing", async () => {
    const work = await mkdtemp(join(tmpdir(), "sluice-import-env-bad-"));
    await writeFile(join(work, ".env"), "DB_HOST=db\nS3_BUCKET_NAME=b\n");
    const noTables = await sluice(["config", "import-env"], {}, work);
    expect(noTables.code).toBe(2);
    expect(noTables.stderr).toContain("-t schema.table");
    const noUser = await sluice(["config", "import-env", "-t", "a.b"], {}, work);
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain("lacks DB_USER, DB_DATABASE");
  });
});
