import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../src/index.js";

const schema = "cli_progress";
const rowsPerTable = 60_000;
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let base: Record<string, string>;

/** The CLI in-process with stderr as a terminal (or not), collecting both streams. */
async function sluice(args: string[], env: Record<string, string>, terminal: boolean) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    isTTY: terminal,
    columns: 120,
  });
  return { code, stdout, stderr };
}

/**
 * What a terminal shows after the stream: applies line feeds, carriage returns,
 * cursor-up (`ESC[nA`) and erase-below (`ESC[J`), the only controls the display uses;
 * any other escape fails the test.
 */
function screen(stream: string): string[] {
  const lines: string[] = [];
  let row = 0;
  for (let at = 0; at < stream.length; ) {
    const control = controlAt(stream, at);
    if (control) {
      if (control.command === "A") row = Math.max(0, row - control.count);
      else if (control.command === "J") lines.length = Math.min(lines.length, row);
      else throw new Error(`unexpected control ESC[${control.command}`);
      at += control.length;
      continue;
    }
    const char = stream[at] as string;
    if (char === "\n") row += 1;
    else if (char !== "\r") {
      while (lines.length <= row) lines.push("");
      lines[row] += char;
    }
    at += 1;
  }
  return lines;
}

const escapeCode = 27;

/** `ESC [ digits letter` at `at`, if one starts there. */
function controlAt(stream: string, at: number): { command: string; count: number; length: number } | null {
  if (stream.charCodeAt(at) !== escapeCode || stream[at + 1] !== "[") return null;
  let end = at + 2;
  while (/\d/.test(stream[end] ?? "")) end += 1;
  const digits = stream.slice(at + 2, end);
  return { command: stream[end] ?? "", count: digits === "" ? 1 : Number(digits), length: end + 1 - at };
}

/** Every piece of text between line ends and controls: each drawn line, as drawn. */
function drawnPieces(stream: string): string[] {
  const pieces: string[] = [];
  let current = "";
  for (let at = 0; at < stream.length; ) {
    const control = controlAt(stream, at);
    const char = stream[at] as string;
    if (control || char === "\n" || char === "\r") {
      pieces.push(current);
      current = "";
      at += control ? control.length : 1;
    } else {
      current += char;
      at += 1;
    }
  }
  pieces.push(current);
  return pieces;
}

async function freshEnv(): Promise<Record<string, string>> {
  const lake = await mkdtemp(join(tmpdir(), "sluice-cli-progress-"));
  const targetSchema = `progress_${Math.random().toString(36).slice(2, 8)}`;
  return { ...base, SLUICE_LAKE_URL: `file://${lake}`, TARGET_SCHEMA: targetSchema };
}

const twoTables = (env: Record<string, string>, ...extra: string[]) => [
  "sync",
  "-t",
  `${schema}.alpha`,
  "-t",
  `${schema}.beta`,
  "--parallel",
  "2",
  "--page-size",
  "1000",
  "--target-schema",
  env.TARGET_SCHEMA as string,
  ...extra,
];

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  const table = (name: string) => `CREATE TABLE ${name} (id INT PRIMARY KEY, note VARCHAR(40),
      updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO ${name} SELECT seq, CONCAT('note ', seq), TIMESTAMP('2026-01-01') + INTERVAL seq SECOND
      FROM seq_1_to_${rowsPerTable};
    ANALYZE TABLE ${name};`;
  await connection.query(
    `DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema}; ${table("alpha")} ${table("beta")}`,
  );
  expect(services.mysql.url).toContain(encodeURIComponent(services.mysql.password));
  base = {
    SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    SLUICE_TARGET_URL: services.postgres.url,
  };
});
afterAll(async () => {
  await connection?.end();
});

async function targetCount(env: Record<string, string>, table: string): Promise<number> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    const result = await pg.query(`SELECT count(*)::int AS n FROM ${env.TARGET_SCHEMA}.${table}`);
    return result.rows[0].n;
  } finally {
    await pg.end();
  }
}

describe("sluice sync: progress on stderr, logs, quiet", () => {
  it("on a terminal, draws rows / estimated total, rate and ETA per table in place, and ends with only the finished lines", async () => {
    const env = await freshEnv();
    const result = await sluice(twoTables(env, "--progress-every", "0.02"), env, true);
    expect(result.code, result.stderr).toBe(0);
    expect(await targetCount(env, "alpha")).toBe(rowsPerTable);
    expect(await targetCount(env, "beta")).toBe(rowsPerTable);
    // While running: a live line with rows done of the estimated total, the rate and an ETA.
    const live = drawnPieces(result.stderr);
    const drawn = live.filter((line) => /^ {2}cli_progress\.(alpha|beta) {2}extract /.test(line));
    expect(drawn.length).toBeGreaterThan(0);
    expect(
      drawn.some((line) => /[\d,]+\/~[\d,]+ rows {2}\d+% {2}[\d,]+ rows\/s {2}ETA [\dhms.]+/.test(line)),
    ).toBe(true);
    expect(live.some((line) => /^sluice: \d\/2 tables done, \d running/.test(line))).toBe(true);
    // After: the block is gone; what stays is one line per finished table.
    const finalScreen = screen(result.stderr);
    expect(finalScreen).toHaveLength(2);
    for (const name of ["alpha", "beta"]) {
      expect(finalScreen).toContainEqual(
        expect.stringMatching(
          new RegExp(`^ok +cli_progress\\.${name} {2}60,000 rows in [\\d.ms]+, [\\d,]+ rows/s$`),
        ),
      );
    }
    // stdout holds the reports and the summary, no display controls.
    expect(result.stdout).not.toContain(String.fromCharCode(escapeCode));
    expect(result.stdout).toMatch(/sync run \S+: 2 of 2 table\(s\) ok/);
  });

  it("elsewhere, writes plain progress lines per running table, and nothing for a run shorter than the interval", async () => {
    const env = await freshEnv();
    const result = await sluice(twoTables(env, "--progress-every", "0.05"), env, false);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain(String.fromCharCode(escapeCode));
    const lines = result.stderr.trimEnd().split("\n");
    for (const line of lines) expect(line).toMatch(/^sluice progress: /);
    expect(
      lines.some((line) => /cli_progress\.(alpha|beta) {2}(extract|load) {2}[\d,]+\/~[\d,]+ rows/.test(line)),
    ).toBe(true);
    expect(lines.some((line) => / rows\/s {2}ETA /.test(line))).toBe(true);
    expect(lines).toContainEqual(
      expect.stringMatching(/^sluice progress: ok +cli_progress\.(alpha|beta) {2}60,000 rows/),
    );

    // The default interval (30 s) is longer than this run: a short run's log stays clean.
    const again = await freshEnv();
    const quick = await sluice(twoTables(again), again, false);
    expect(quick.code, quick.stderr).toBe(0);
    expect(quick.stderr).toBe("");
  });

  it("--json keeps stdout one JSON document while progress goes to stderr", async () => {
    const env = await freshEnv();
    const result = await sluice(twoTables(env, "--json", "--progress-every", "0.02"), env, true);
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.tables.map((entry: { table: string }) => entry.table).sort()).toEqual([
      `${schema}.alpha`,
      `${schema}.beta`,
    ]);
    expect(result.stderr).toMatch(/rows\/s/);
  });

  it("--quiet prints only the final summary, even on a terminal", async () => {
    const env = await freshEnv();
    const result = await sluice(twoTables(env, "--quiet", "--progress-every", "0.02"), env, true);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toContain("extracted");
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^sync run \S+: 2 of 2 table\(s\) ok in /);
    // The summary's table rows, and nothing else.
    expect(lines.filter((line) => line.includes("cli_progress."))).toHaveLength(2);
    expect(lines.length).toBeLessThanOrEqual(4);
  });

  it("--log-file appends JSON lines with the table at the chosen level, never the password", async () => {
    const env = await freshEnv();
    const logFile = join(await mkdtemp(join(tmpdir(), "sluice-cli-log-")), "run.log");
    const password = inject("sluiceServices").mysql.password;
    const first = await sluice(twoTables(env, "--log-file", logFile, "--log-level", "debug"), env, false);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe("");
    const written = await readFile(logFile, "utf8");
    expect(written).not.toContain(password);
    const records = written
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { level: string; message: string; table?: string; rows?: number });
    for (const name of ["alpha", "beta"]) {
      const committed = records.find(
        (record) => record.message === "extract committed" && record.table === `${schema}.${name}`,
      );
      expect(committed?.rows).toBe(rowsPerTable);
    }
    expect(records.some((record) => record.level === "debug" && record.message === "part staged")).toBe(true);

    // LOG_LEVEL from the environment: appended, and no info or debug lines this time.
    const before = records.length;
    // (The replaced system's spelling, WARNING, is warn.)
    const second = await sluice(
      twoTables(env, "--log-file", logFile),
      { ...env, LOG_LEVEL: "WARNING" },
      false,
    );
    expect(second.code, second.stderr).toBe(0);
    const after = (await readFile(logFile, "utf8")).trimEnd().split("\n");
    expect(after.slice(0, before).join("\n")).toBe(written.trimEnd());
    for (const line of after.slice(before)) expect(JSON.parse(line).level).toMatch(/^(warn|error)$/);

    // --log-level over LOG_LEVEL: info lines again (the second run found nothing new, says so at info).
    const third = await sluice(
      twoTables(env, "--log-file", logFile, "--log-level", "info"),
      { ...env, LOG_LEVEL: "warn" },
      false,
    );
    expect(third.code, third.stderr).toBe(0);
    const infos = (await readFile(logFile, "utf8"))
      .trimEnd()
      .split("\n")
      .slice(after.length)
      .map((line) => JSON.parse(line));
    expect(infos.some((record) => record.level === "info" && record.table === `${schema}.alpha`)).toBe(true);
  });

  it("the pipeline file's log_level applies when neither --log-level nor LOG_LEVEL is given", async () => {
    const env = await freshEnv();
    const dir = await mkdtemp(join(tmpdir(), "sluice-cli-log-pipeline-"));
    const file = join(dir, "progress.yml");
    await writeFile(
      file,
      ["version: 1", "log_level: debug", "tables:", `  - ${schema}.alpha`, `  - ${schema}.beta`, ""].join(
        "\n",
      ),
    );
    const logFile = join(dir, "run.log");
    const args = ["sync", "-p", file, "--target-schema", env.TARGET_SCHEMA as string, "--log-file", logFile];
    const debug = await sluice(args, env, false);
    expect(debug.code, debug.stderr).toBe(0);
    const levels = (await readFile(logFile, "utf8"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line).level);
    expect(levels).toContain("debug");
    // LOG_LEVEL wins over the file.
    const before = levels.length;
    const warned = await sluice(args, { ...env, LOG_LEVEL: "error" }, false);
    expect(warned.code, warned.stderr).toBe(0);
    expect((await readFile(logFile, "utf8")).trimEnd().split("\n")).toHaveLength(before);
  });

  it("refuses a log level that is not one, naming where it came from (exit 2)", async () => {
    const env = await freshEnv();
    const result = await sluice(twoTables(env), { ...env, LOG_LEVEL: "verbose" }, false);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "sluice: LOG_LEVEL verbose is not a log level; use one of debug, info, warn, error\n",
    );
  });

  it("-v with a live display writes whole JSON lines above the block", async () => {
    const env = await freshEnv();
    const result = await sluice(twoTables(env, "-v", "--progress-every", "0.02"), env, true);
    expect(result.code, result.stderr).toBe(0);
    const finalScreen = screen(result.stderr);
    const json = finalScreen.filter((line) => line.startsWith("{"));
    expect(json.length).toBeGreaterThan(0);
    for (const line of json) expect(() => JSON.parse(line)).not.toThrow();
    // Every line left is a log line or a finished table: no piece of the live block.
    for (const line of finalScreen) expect(line).toMatch(/^(\{|ok +cli_progress\.)/);
  });
});
