import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startServices } from "@sluice/test-services";
import { benchConnection } from "./bench-connection.js";
import { measureProcess } from "./measure-process.js";
import { shebangEnv, shebangNodeFlags } from "./shebang-node-flags.js";
import { fillWideTable, wideTableDdl } from "./wide-table.js";

/**
 * `pnpm bench:parallel`: total memory with many tables in flight. Builds TABLES copies
 * of the benchmark's 20-column table (ROWS rows each) and runs `sluice sync -p <file>
 * --backup-only` over all of them at each --parallel setting (PARALLEL, default "1,4")
 * as its own process, sampling its peak RSS. Prints the figures; docs/benchmarks.md
 * ("Many tables in flight") is written by hand from them.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const tables = Number(process.env.BENCH_TABLES ?? 20);
const rowsPerTable = Number(process.env.BENCH_TABLE_ROWS ?? 200_000);
const settings = (process.env.BENCH_PARALLEL ?? "1,4").split(",").map((value) => Number(value.trim()));
const log = (line: string) => console.log(line);

interface SettingResult {
  readonly parallel: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly peakRssMiB: number;
}

const running = await startServices({ which: ["mysql", "s3"] });
const results: SettingResult[] = [];
const work = await mkdtemp(join(tmpdir(), "sluice-bench-parallel-"));
try {
  const { my, s3, connection } = await benchConnection(running);
  log(`== ${tables} tables x ${rowsPerTable} rows x 20 columns`);
  await connection.query("DROP DATABASE IF EXISTS bench_many; CREATE DATABASE bench_many; USE bench_many");
  await connection.query(wideTableDdl);
  await fillWideTable(connection, rowsPerTable, log);
  const names = Array.from({ length: tables }, (_, index) => `t${String(index + 1).padStart(2, "0")}`);
  for (const name of names) {
    await connection.query(`CREATE TABLE ${name} LIKE wide20; INSERT INTO ${name} SELECT * FROM wide20`);
  }
  await connection.query(`DROP TABLE wide20; ANALYZE TABLE ${names.join(", ")}`);
  await connection.end();

  const pipeline = join(work, "bench-many.yml");
  await writeFile(
    pipeline,
    ["version: 1", "name: bench-many", "tables:", ...names.map((name) => `  - bench_many.${name}`), ""].join(
      "\n",
    ),
  );
  const main = join(repoRoot, "apps/cli/dist/main.js");
  const nodeFlags = await shebangNodeFlags(main);
  for (const parallel of settings) {
    const prefix = `bench-many-p${parallel}-${Date.now()}`;
    const load = loadavg()[0]?.toFixed(2);
    const measured = await measureProcess(
      process.execPath,
      [...nodeFlags, main, "sync", "-p", pipeline, "--parallel", String(parallel), "--backup-only", "--json"],
      {
        ...process.env,
        ...(await shebangEnv(main)),
        SLUICE_SOURCE_URL: my.url.replace(/\/[^/]*$/, "/bench_many"),
        SLUICE_LAKE_URL: `s3://${s3.bucket}/${prefix}`,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_REGION: s3.region,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
    );
    if (measured.exitCode !== 0) throw new Error(`sluice failed: ${measured.stderr}`);
    const document = JSON.parse(measured.stdout) as { tables: { table: string; rows: number }[] };
    const moved = document.tables.reduce((sum, entry) => sum + entry.rows, 0);
    if (moved !== tables * rowsPerTable)
      throw new Error(`sluice moved ${moved} rows, expected ${tables * rowsPerTable}`);
    const result = {
      parallel,
      seconds: measured.seconds,
      rowsPerSecond: moved / measured.seconds,
      peakRssMiB: measured.peakRssBytes / 2 ** 20,
    };
    results.push(result);
    log(
      `  --parallel ${parallel}: ${result.seconds.toFixed(1)} s, ${Math.round(result.rowsPerSecond)} rows/s, peak RSS ${result.peakRssMiB.toFixed(0)} MiB (load average before: ${load})`,
    );
  }
} finally {
  await running.stop();
  await rm(work, { recursive: true, force: true });
}

const reference = results.find((result) => result.parallel === 1);
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
log(
  `\nmachine: ${machine}; load average after: ${loadavg()
    .map((value) => value.toFixed(2))
    .join(" ")}`,
);
log("| --parallel | seconds | rows/s | vs --parallel 1 | peak RSS MiB |");
log("|---:|---:|---:|---:|---:|");
for (const result of results) {
  const ratio = reference ? (result.rowsPerSecond / reference.rowsPerSecond).toFixed(2) : "-";
  log(
    `| ${result.parallel} | ${result.seconds.toFixed(1)} | ${Math.round(result.rowsPerSecond).toLocaleString("en-US")} | ${ratio} | ${result.peakRssMiB.toFixed(0)} |`,
  );
}
