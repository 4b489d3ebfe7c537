import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startServices } from "@sluice/test-services";
import { benchConnection } from "./bench-connection.js";
import { mariadbReference } from "./mariadb-reference.js";
import { measureProcess } from "./measure-process.js";
import { shebangEnv, shebangNodeFlags } from "./shebang-node-flags.js";
import { fillWideValueTable, wideValueTableDdl } from "./wide-value-table.js";

/**
 * `pnpm bench:wide`: peak RSS and rate of `sluice sync --backup-only` on tables of large
 * values, against the mariadb client reading the same rows in the same run. Shapes via
 * BENCH_WIDE_VALUES, `<rows>x<value bytes>` comma-separated (default 2,000 x 1 MiB and
 * 200,000 x 10 KiB: 2 GiB each). Prints the figures; the "Memory" section of
 * docs/benchmarks.md quotes them.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const shapes = (process.env.BENCH_WIDE_VALUES ?? "2000x1048576,200000x10240").split(",").map((shape) => {
  const [rows, bytes] = shape.trim().split("x").map(Number);
  if (!(Number.isInteger(rows) && Number.isInteger(bytes) && (rows ?? 0) > 0 && (bytes ?? 0) > 0)) {
    throw new Error(`BENCH_WIDE_VALUES: "${shape}" is not <rows>x<value bytes>`);
  }
  return { rows: rows as number, bytes: bytes as number };
});
const log = (line: string) => console.log(line);
const lines: string[] = [];

const running = await startServices({ which: ["mysql", "s3"] });
try {
  const { my, s3, connection } = await benchConnection(running);
  await connection.query("CREATE DATABASE IF NOT EXISTS bench_wide; USE bench_wide");
  const main = join(repoRoot, "apps/cli/dist/main.js");
  const nodeFlags = await shebangNodeFlags(main);
  for (const { rows, bytes } of shapes) {
    const table = `wide_${rows}_${bytes}`;
    log(`\n== ${table}: ${rows} rows x ${bytes} bytes`);
    await connection.query(`DROP TABLE IF EXISTS ${table}`);
    await connection.query(wideValueTableDdl(table));
    await fillWideValueTable(connection, table, rows, bytes, log);
    await connection.query(`ANALYZE TABLE ${table}`);
    const reference = await mariadbReference(my, "bench_wide", `SELECT * FROM ${table}`);
    const load = loadavg()[0]?.toFixed(2);
    const sluice = await measureProcess(
      process.execPath,
      [
        ...nodeFlags,
        main,
        "sync",
        "--backup-only",
        "--json",
        "-t",
        `bench_wide.${table}`,
        "--source",
        my.url.replace(/\/[^/]*$/, "/bench_wide"),
        "--lake",
        `s3://${s3.bucket}/bench-wide-${table}-${Date.now()}`,
      ],
      {
        ...process.env,
        ...(await shebangEnv(main)),
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_REGION: s3.region,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
    );
    if (sluice.exitCode !== 0) throw new Error(`sluice failed: ${sluice.stderr}`);
    const report = JSON.parse(sluice.stdout) as { extract: { rows: number } };
    if (report.extract.rows !== rows)
      throw new Error(`sluice moved ${report.extract.rows} rows, expected ${rows}`);
    const line = `| \`${table}\` | ${rows.toLocaleString("en-US")} x ${bytes.toLocaleString("en-US")} B | ${reference.seconds.toFixed(1)} | ${sluice.seconds.toFixed(1)} | ${(reference.seconds / sluice.seconds).toFixed(2)} | **${(sluice.peakRssBytes / 2 ** 20).toFixed(0)}** |`;
    log(
      `  reference ${reference.seconds.toFixed(1)} s, sluice ${sluice.seconds.toFixed(1)} s (load average before: ${load})`,
    );
    lines.push(line);
    await connection.query(`DROP TABLE ${table}`);
  }
  await connection.end();
} finally {
  await running.stop();
}

log(
  `\nmachine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`,
);
log("| table | rows x value | reference s | sluice s | sluice / reference | peak RSS MiB |");
log("|---|---:|---:|---:|---:|---:|");
for (const line of lines) log(line);
