import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, realpath, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice as runSluice } from "./cli-harness.js";

const run = promisify(execFile);
const schema = "cli_custom_strategy";
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const example = join(repoRoot, "docs/examples/lookback-strategy.mjs");

let project: string;
let lakeDir: string;
let sourceUrl: string;
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;

/**
 * A data engineer's own project, as docs/custom-strategy.md describes it: the example
 * strategy copied in, @sluice/cdc-strategies and neverthrow installed (linked to this
 * workspace's copies), and the same strategy also published as a package.
 */
async function createProject(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-etl-project-"));
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "my-etl", type: "module" }));
  await copyFile(example, join(dir, "lookback-strategy.mjs"));
  const modules = join(dir, "node_modules");
  await mkdir(join(modules, "@sluice"), { recursive: true });
  const strategies = join(repoRoot, "packages/cdc-strategies");
  await symlink(strategies, join(modules, "@sluice/cdc-strategies"), "dir");
  await symlink(
    await realpath(join(strategies, "node_modules/neverthrow")),
    join(modules, "neverthrow"),
    "dir",
  );
  const published = join(modules, "acme-sluice-strategies");
  await mkdir(published);
  await writeFile(
    join(published, "package.json"),
    JSON.stringify({
      name: "acme-sluice-strategies",
      type: "module",
      exports: { ".": { default: "./index.mjs" } },
    }),
  );
  await copyFile(example, join(published, "index.mjs"));
  await writeFile(join(dir, "broken-strategy.mjs"), "export const helper = 1;\n");
  return dir;
}

/** The CLI in-process, run from the user's project directory (strategy paths resolve there). */
function sluice(args: string[]) {
  return runSluice(args, {}, project);
}

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  // The application stamps updated_at itself (no DEFAULT CURRENT_TIMESTAMP): the case
  // the look-back window exists for.
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2) NOT NULL, updated_at DATETIME(3) NOT NULL, KEY (updated_at, id));
    INSERT INTO orders SELECT seq, seq * 1.5, TIMESTAMP('2026-01-01 10:00:00') + INTERVAL seq MINUTE FROM seq_1_to_120;`);
  project = await createProject();
  lakeDir = await mkdtemp(join(tmpdir(), "sluice-cli-custom-lake-"));
  sourceUrl = services.mysql.url.replace(/\/[^/]*$/, `/${schema}`);
});
afterAll(async () => {
  await connection?.end();
});

describe("a custom strategy from the data engineer's own package, selected by name", () => {
  it("loads ./lookback-strategy.mjs with --strategy-module and picks up a row committed behind the watermark", async () => {
    const { postgres } = inject("sluiceServices");
    const base = [
      "sync",
      "-t",
      `${schema}.orders`,
      "--source",
      sourceUrl,
      "--lake",
      `file://${lakeDir}`,
      "--target",
      postgres.url,
      "--strategy-module",
      "./lookback-strategy.mjs",
      "--strategy",
      "hybrid-lookback",
      "--strategy-option",
      "lookback-minutes=30",
      "--json",
    ];
    const first = await sluice(base);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const firstReport = JSON.parse(first.stdout);
    expect(firstReport.extract.strategy).toBe("hybrid-lookback");
    expect(firstReport.extract.rows).toBe(120);
    expect(firstReport.extract.to).toEqual({ cursorValue: "2026-01-01 12:00:00.000", keyValues: ["120"] });
    const watermark = JSON.parse(
      await readFile(join(lakeDir, `_state/${schema}.orders/watermark.json`), "utf8"),
    );
    expect(watermark.extract.strategy).toBe("hybrid-lookback");

    // Committed late, stamped 20 minutes before the watermark: plain hybrid never sees it.
    await connection.query(`INSERT INTO ${schema}.orders VALUES (500, 7.25, '2026-01-01 11:40:00.500')`);
    const second = await sluice(base);
    expect(second.code).toBe(0);
    const secondReport = JSON.parse(second.stdout);
    // The window re-reads (11:30, key 120] onwards: rows 91..120 (stamped 11:31..12:00) and the late row.
    expect(secondReport.extract.from).toEqual({ cursorValue: "2026-01-01 11:30:00.000", keyValues: ["120"] });
    expect(secondReport.extract.rows).toBe(31);
    const client = await createTestPgClient(postgres);
    try {
      const target = await client.query(`SELECT id FROM "${schema}"."orders" ORDER BY id`);
      const [source] = (await connection.query(`SELECT id FROM ${schema}.orders ORDER BY id`)) as unknown as [
        { id: number }[],
      ];
      expect(target.rows.map((row) => Number(row.id))).toEqual(source.map((row) => row.id));
      expect(target.rows).toHaveLength(121);
    } finally {
      await client.end();
    }
  });

  it("loads the same strategy as an installed package by name, in the built `sluice` binary", async () => {
    // A real process (dist/main.js), as operators and Airflow run it: Node resolves the
    // package from the project's node_modules and @sluice/cdc-strategies to its build.
    const { stdout, stderr } = await run(
      process.execPath,
      [
        join(repoRoot, "apps/cli/dist/main.js"),
        "sync",
        "--backup-only",
        "--dry-run",
        "-t",
        `${schema}.orders`,
        "--source",
        sourceUrl,
        "--lake",
        `file://${await mkdtemp(join(tmpdir(), "sluice-cli-custom-dry-"))}`,
        "--strategy-module",
        "acme-sluice-strategies",
        "--strategy",
        "hybrid-lookback",
        "--json",
      ],
      { cwd: project },
    );
    expect(stderr).toBe("");
    const report = JSON.parse(stdout);
    expect(report.extract.strategy).toBe("hybrid-lookback");
    expect(report.notes.join("\n")).toMatch(/would extract \d+ of \d+ pending rows/);
  });

  it("fails with one line and exit 2 for a missing module, a wrong export or an unknown name", async () => {
    const emptyLake = `file://${await mkdtemp(join(tmpdir(), "sluice-cli-custom-errors-"))}`;
    const common = [
      "sync",
      "--backup-only",
      "-t",
      `${schema}.orders`,
      "--source",
      sourceUrl,
      "--lake",
      emptyLake,
    ];
    const cases: [string[], RegExp][] = [
      [["--strategy-module", "./no-such-file.mjs"], /--strategy-module \.\/no-such-file\.mjs: cannot import/],
      [
        ["--strategy-module", "no-such-package-x"],
        /no such package installed under .*npm install no-such-package-x/,
      ],
      [
        ["--strategy-module", "./broken-strategy.mjs"],
        /no default, `strategy` or `strategies` export \(it exports: helper\)/,
      ],
      [
        ["--strategy-module", "./lookback-strategy.mjs", "--strategy", "lookback"],
        /unknown CDC strategy "lookback".*hybrid-lookback/,
      ],
      [
        [
          "--strategy-module",
          "./lookback-strategy.mjs",
          "--strategy",
          "hybrid-lookback",
          "--strategy-option",
          "oops",
        ],
        /--strategy-option must be key=value/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const result = await sluice([...common, ...args]);
      expect(result.code).toBe(2);
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
    }
  });
});
