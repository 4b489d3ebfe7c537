// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline files spell variables ${VAR}; these strings are such files
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestMysqlConnection } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_budget";
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let env: Record<string, string>;

/** Moves a minute each time it is read: the budget reads it at the start and at each page boundary. */
function minuteClock(): () => number {
  let reads = 0;
  return () => {
    reads += 1;
    return (reads - 1) * 60_000;
  };
}

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE events (id INT PRIMARY KEY, label VARCHAR(40) NULL, amount DECIMAL(10,2) NOT NULL,
      updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO events
      SELECT seq, IF(seq % 4 = 0, NULL, CONCAT('event ', seq, ' ✓')), seq * 1.25,
             TIMESTAMP('2026-01-01 00:00:00') + INTERVAL (seq DIV 3) SECOND
      FROM seq_1_to_500;`);
  env = {
    SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    SLUICE_LAKE_URL: `file://${await mkdtemp(join(tmpdir(), "sluice-cli-budget-"))}`,
    SLUICE_TARGET_URL: services.postgres.url,
  };
});
afterAll(async () => {
  await connection?.end();
});

describe("sluice sync --max-duration", () => {
  it("stops each run at a page boundary, says how to go on, and the runs together copy the table exactly", async () => {
    const run = (...extra: string[]) =>
      sluice(
        ["sync", "-t", `${schema}.events`, "--page-size", "100", "--max-duration", "90s", ...extra],
        env,
        undefined,
        { budgetClock: minuteClock() },
      );
    // 90 s are spent at the second page boundary (2 minutes): two pages of 100 rows a run.
    const first = await run();
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("extracted 200 rows");
    expect(first.stdout).toContain(
      "stopped at a page boundary after 2m, the --max-duration budget of 1m 30s being spent; the rows extracted are committed and the watermark is on the last of them: run again to continue",
    );
    expect(first.stdout).toContain("after key (200)");

    const second = await run("--json");
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.extract.rows).toBe(200);
    expect(report.extract.timeBudget).toEqual({
      maxDurationMs: 90_000,
      stopped: true,
      stoppedAfterMs: 120_000,
    });
    expect(report.extract.snapshot).toMatchObject({ afterKey: ["400"], complete: false });

    // The last 100 rows: a short page, done inside the budget; the load is then verified
    // against the source by key-range checksums.
    const last = await run("--json", "--verify-data", "--verify-rows-per-range", "50");
    expect(last.code).toBe(0);
    const done = JSON.parse(last.stdout);
    expect(done.extract.rows).toBe(100);
    expect(done.extract.timeBudget.stopped).toBe(false);
    expect(done.cumulative).toEqual({ extracted: 500, loaded: 500 });
    expect(done.verification).toMatchObject({ sourceRows: 500, targetRows: 500, mismatches: [] });
  });

  it("--snapshot-connections: a budget stops every range, the watermark shows the ranges left, the next runs finish them exactly", async () => {
    const lanesEnv = {
      ...env,
      SLUICE_LAKE_URL: `file://${await mkdtemp(join(tmpdir(), "sluice-cli-lanes-"))}`,
    };
    const run = (...extra: string[]) =>
      sluice(["sync", "-t", `${schema}.events`, "--backup-only", "--page-size", "100", ...extra], lanesEnv);
    // Row caps are defined in one order; ranges read in several.
    const refused = await run("--snapshot-connections", "2", "--limit", "10");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--max-duration");

    // Keys 1..500 in pages of 100: five ranges of 100 keys, two read at a time on worker
    // threads. The clock moves a minute on every read, so the 90 s budget is spent while
    // the first pages are read: each lane finishes its page and stops.
    const first = await sluice(
      [
        "sync",
        "-t",
        `${schema}.events`,
        "--backup-only",
        "--page-size",
        "100",
        "--snapshot-connections",
        "2",
        "--max-duration",
        "90s",
        "--json",
      ],
      lanesEnv,
      undefined,
      { budgetClock: minuteClock() },
    );
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const stopped = JSON.parse(first.stdout);
    expect(stopped.extract.timeBudget.stopped).toBe(true);
    expect(stopped.extract.snapshot.complete).toBe(false);
    expect(stopped.extract.rows).toBeGreaterThanOrEqual(100);
    expect(stopped.extract.rows).toBeLessThan(500);

    const watermark = JSON.parse(
      (await sluice(["watermark", "get", "--json", "-t", `${schema}.events`], lanesEnv)).stdout,
    );
    const ranges = watermark.extract.snapshot.ranges as {
      afterKey: string[] | null;
      throughKey: string[] | null;
    }[];
    expect(ranges.length).toBeGreaterThan(0);
    // The range that runs to the table's end is always kept: it carries the snapshot's end.
    expect(ranges[ranges.length - 1]?.throughKey).toBeNull();
    const text = await sluice(["watermark", "get", "-t", `${schema}.events`], lanesEnv);
    expect(text.stdout).toContain(
      `initial snapshot below ${watermark.extract.snapshot.ceiling}, ${ranges.length} key range`,
    );
    expect(text.stdout).toContain(", end]");

    // The ranges left are read by the next run, on one connection now; then everything
    // staged is loaded and compared with the source range by range.
    const rest = JSON.parse((await run("--json")).stdout);
    expect(rest.extract.snapshot.complete).toBe(true);
    expect(stopped.extract.rows + rest.extract.rows).toBe(500);
    const loaded = await sluice(
      [
        "sync",
        "-t",
        `${schema}.events`,
        "--target-schema",
        "cli_lanes",
        "--json",
        "--verify-data",
        "--verify-rows-per-range",
        "50",
      ],
      lanesEnv,
    );
    expect(loaded.stderr).toBe("");
    const done = JSON.parse(loaded.stdout);
    expect(done.cumulative).toEqual({ extracted: 500, loaded: 500 });
    expect(done.verification).toMatchObject({ sourceRows: 500, targetRows: 500, mismatches: [] });
  });

  it("takes max_duration from a pipeline file (whole seconds there), and the flag overrides it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-cli-budget-file-"));
    const lake = await mkdtemp(join(tmpdir(), "sluice-cli-budget-lake-"));
    await writeFile(
      join(dir, "budget.yml"),
      `name: budget
connections:
  source:
    url: \${SLUICE_SOURCE_URL}
  lake:
    url: file://${lake}
defaults:
  page_size: 50
  max_duration: 150
tables:
  - table: ${schema}.events
`,
    );
    const run = (...extra: string[]) =>
      sluice(["sync", "-p", join(dir, "budget.yml"), "--backup-only", "--json", ...extra], env, dir, {
        budgetClock: minuteClock(),
      });
    // 150 s: spent at the third boundary, 3 pages of 50.
    const fromFile = JSON.parse((await run()).stdout);
    expect(fromFile.tables[0].report.extract.rows).toBe(150);
    expect(fromFile.tables[0].report.extract.timeBudget.maxDurationMs).toBe(150_000);
    // The flag wins: 30 s are spent at the first boundary, 1 page.
    const fromFlag = JSON.parse((await run("--max-duration", "30")).stdout);
    expect(fromFlag.tables[0].report.extract.rows).toBe(50);
    expect(fromFlag.tables[0].report.extract.snapshot.afterKey).toEqual(["200"]);
  });

  it("refuses a duration it cannot read, naming the flag, the value and the forms it takes", async () => {
    for (const bad of ["0", "15x", "1.5h", "-5m"]) {
      const refused = await sluice(["sync", "-t", `${schema}.events`, "--max-duration", bad], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `--max-duration must be a duration > 0: seconds (90), or a number followed by s, m or h (90s, 15m, 2h), got "${bad}"`,
      );
    }
    const dir = await mkdtemp(join(tmpdir(), "sluice-cli-budget-bad-"));
    await writeFile(
      join(dir, "bad.yml"),
      `name: bad\ndefaults:\n  max_duration: 10 minutes\ntables:\n  - table: ${schema}.events\n`,
    );
    const fromFile = await sluice(["sync", "-p", join(dir, "bad.yml")], env, dir);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain("max_duration");
    expect(fromFile.stderr).toContain("seconds (90), or a number followed by s, m or h (90s, 15m, 2h)");
  });
});
