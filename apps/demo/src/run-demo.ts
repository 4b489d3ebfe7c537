import { execFile } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startServices } from "@sluice/test-services";
import mysql from "mysql2/promise";
import pg from "pg";
import { insertSettlements, settlementDdl } from "./settlement-table.js";

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface DemoOptions {
  readonly rows: number;
  readonly lakeDirectory: string;
  readonly print: (line: string) => void;
}

export interface DemoCounts {
  readonly source: number;
  readonly target: number;
  readonly sourceAmount: string;
  readonly targetAmount: string;
}

/**
 * Starts private MariaDB + PostgreSQL, seeds `shop.settlement`, runs the real
 * `sluice` CLI twice (a first full run, then after inserts and updates), and returns
 * the counts it printed. Everything but the lake directory is torn down afterwards.
 */
export async function runDemo(options: DemoOptions): Promise<DemoCounts> {
  const { print } = options;
  print("starting private MariaDB and PostgreSQL on loopback...");
  const running = await startServices({ which: ["mysql", "postgres"] });
  try {
    const mysqlEndpoint = running.services.mysql;
    const postgresEndpoint = running.services.postgres;
    if (!mysqlEndpoint || !postgresEndpoint) throw new Error("services did not start");
    const source = await mysql.createConnection({
      host: mysqlEndpoint.host,
      port: mysqlEndpoint.port,
      user: mysqlEndpoint.user,
      password: mysqlEndpoint.password,
      multipleStatements: true,
    });
    await source.query("CREATE DATABASE IF NOT EXISTS shop; USE shop; DROP TABLE IF EXISTS settlement");
    await source.query(settlementDdl);
    print(`seeding shop.settlement with ${options.rows} rows...`);
    await insertSettlements(source, options.rows, true);

    await rm(options.lakeDirectory, { recursive: true, force: true });
    await mkdir(options.lakeDirectory, { recursive: true });
    const sourceUrl = mysqlEndpoint.url.replace(/\/[^/]*$/, "/shop");
    const argv = [
      join(repoRoot, "apps/cli/dist/main.js"),
      "sync",
      "--table",
      "shop.settlement",
      "--source",
      sourceUrl,
      "--lake",
      `file://${options.lakeDirectory}`,
      "--target",
      postgresEndpoint.url,
    ];
    const sluice = async (label: string) => {
      print(`\n$ sluice sync -t shop.settlement --lake file://${options.lakeDirectory} ...   # ${label}`);
      const { stdout } = await run(process.execPath, argv, { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
      print(stdout.trimEnd());
    };
    await sluice("first run: everything");

    // Rows inserted and updated between runs are exactly what the second run moves.
    const changed = Math.max(1, Math.floor(options.rows / 100));
    await insertSettlements(source, changed);
    await source.query(
      "UPDATE settlement SET status = 'settled', settled_at = NOW(6), attempts = attempts + 1 WHERE id % 97 = 0",
    );
    await sluice(`second run: ${changed} new rows and every 97th row updated`);
    await sluice("third run: nothing changed");

    const [[sourceRow]] = (await source.query(
      "SELECT COUNT(*) AS n, CAST(SUM(amount) AS CHAR) AS total FROM settlement",
    )) as unknown as [[{ n: number; total: string }]];
    await source.end();
    const target = new pg.Client({ connectionString: postgresEndpoint.url });
    await target.connect();
    const targetRow = (
      await target.query<{ n: string; total: string }>(
        "SELECT COUNT(*) AS n, SUM(amount)::text AS total FROM shop.settlement",
      )
    ).rows[0];
    await target.end();
    const counts: DemoCounts = {
      source: Number(sourceRow?.n ?? -1),
      target: Number(targetRow?.n ?? -1),
      sourceAmount: sourceRow?.total ?? "?",
      targetAmount: targetRow?.total ?? "?",
    };
    print("\n                      rows        SUM(amount)");
    print(
      `MariaDB   shop.settlement  ${String(counts.source).padStart(8)}  ${counts.sourceAmount.padStart(16)}`,
    );
    print(
      `Postgres  shop.settlement  ${String(counts.target).padStart(8)}  ${counts.targetAmount.padStart(16)}`,
    );
    print(
      counts.source === counts.target && counts.sourceAmount === counts.targetAmount ? "match" : "MISMATCH",
    );
    print(`Parquet files and manifests are in ${options.lakeDirectory}`);
    return counts;
  } finally {
    await running.stop();
  }
}
