import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestPgClient, type PostgresEndpoint } from "@sluice/test-services";
import type { Connection } from "mysql2/promise";
import { measureProcess } from "./measure-process.js";

/** One size's PostgreSQL load, both ways, measured in the same run. */
export interface LoadResult {
  /** `sluice sync --redshift-only` as its own process: S3 download, Parquet decode, COPY, merge, ledger. */
  readonly sluiceSeconds: number;
  /** The load stage as the run report times it (no process start-up). */
  readonly sluiceLoadSeconds: number;
  /** `psql \copy ... FROM` a tab-separated file of the same rows into a table of the target's shape. */
  readonly copySeconds: number;
  readonly peakRssMiB: number;
}

export interface LoadSetting {
  readonly rows: number;
  readonly pg: PostgresEndpoint;
  readonly connection: Connection;
  readonly nodeArgs: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly lake: string;
  readonly log: (line: string) => void;
}

/**
 * Loads the run `sluice sync --backup-only` staged into the private PostgreSQL
 * (`sync --redshift-only`, its own schema per size), then the reference: the same rows
 * as MariaDB writes them (`SELECT ... INTO OUTFILE`: tab-separated, `\N` for NULL,
 * backslash escapes, which is PostgreSQL's COPY text format) streamed by `psql \copy`
 * (`COPY ... FROM STDIN`) into an empty table created `LIKE` sluice's target, primary
 * key included. Only the two loads are timed, not the export.
 */
export async function measurePostgresLoad(setting: LoadSetting): Promise<LoadResult> {
  const { rows, pg, connection, log } = setting;
  const schema = `bench_${rows}`;
  const sluice = await measureProcess(
    process.execPath,
    [
      ...setting.nodeArgs,
      "sync",
      "--redshift-only",
      "--json",
      "-t",
      "bench.wide20",
      "--lake",
      setting.lake,
      "--target",
      pg.url,
      "--target-schema",
      schema,
    ],
    setting.env,
  );
  if (sluice.exitCode !== 0) throw new Error(`sluice --redshift-only failed: ${sluice.stderr}`);
  const report = JSON.parse(sluice.stdout) as { load: { rowsStaged: number; durationMs: number } };
  if (report.load.rowsStaged !== rows)
    throw new Error(`sluice loaded ${report.load.rowsStaged} rows, expected ${rows}`);
  log(
    `  sluice sync --redshift-only (PostgreSQL): ${sluice.seconds.toFixed(2)} s (load stage ${(report.load.durationMs / 1000).toFixed(2)} s), peak RSS ${(sluice.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  );

  const dir = await mkdtemp(join(tmpdir(), "sluice-bench-copy-"));
  const client = await createTestPgClient(pg);
  try {
    const file = join(dir, "wide20.tsv");
    const [columns] = await connection.query({
      sql: "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'bench' AND TABLE_NAME = 'wide20' ORDER BY ORDINAL_POSITION",
      rowsAsArray: true,
    });
    const names = (columns as [string][]).map(([name]) => name);
    // TIMESTAMP columns as UTC text, as sluice reads them.
    await connection.query("SET time_zone = '+00:00'");
    await connection.query(`SELECT ${names.join(", ")} INTO OUTFILE '${file}' FROM bench.wide20`);
    await client.query(
      `DROP TABLE IF EXISTS ${schema}.copy_ref; CREATE TABLE ${schema}.copy_ref (LIKE ${schema}.wide20 INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`,
    );
    const copy = await measureProcess(
      "psql",
      [
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        pg.host,
        "-p",
        String(pg.port),
        "-U",
        pg.user,
        "-d",
        pg.database,
        "-c",
        "SET TIME ZONE 'UTC'",
        "-c",
        `\\copy ${schema}.copy_ref (${names.join(", ")}) FROM '${file}'`,
      ],
      { ...process.env, PGPASSWORD: pg.password },
    );
    if (copy.exitCode !== 0) throw new Error(`psql \\copy failed: ${copy.stderr}`);
    const counted = await client.query(`SELECT COUNT(*)::int AS n FROM ${schema}.copy_ref`);
    if (counted.rows[0]?.n !== rows)
      throw new Error(`COPY loaded ${counted.rows[0]?.n} rows, expected ${rows}`);
    log(`  reference psql \\copy FROM a MariaDB export: ${copy.seconds.toFixed(2)} s`);
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    return {
      sluiceSeconds: sluice.seconds,
      sluiceLoadSeconds: report.load.durationMs / 1000,
      copySeconds: copy.seconds,
      peakRssMiB: sluice.peakRssBytes / 2 ** 20,
    };
  } finally {
    await client.end();
    await rm(dir, { recursive: true, force: true });
  }
}
