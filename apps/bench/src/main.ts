import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import { createTestS3Client, startServices } from "@sluice/test-services";
import { benchConnection } from "./bench-connection.js";
import { renderBenchmarkDoc } from "./benchmark-doc.js";
import { withCpuSteal } from "./cpu-steal.js";
import { mariadbReference } from "./mariadb-reference.js";
import { measureProcess } from "./measure-process.js";
import { measurePostgresLoad } from "./postgres-load.js";
import { mariadbServerCpuSeconds } from "./process-cpu.js";
import { shebangEnv, shebangNodeFlags } from "./shebang-node-flags.js";
import type { SizeResult } from "./size-result.js";
import { fillWideTable, wideTableDdl } from "./wide-table.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const sizes = (process.env.BENCH_ROWS ?? "1000000,5000000").split(",").map((s) => Number(s.trim()));
const log = (line: string) => console.log(line);
const snapshotConnections = Number(process.env.BENCH_SNAPSHOT_CONNECTIONS ?? "2");

const running = await startServices({ which: ["mysql", "s3", "postgres"] });
const results: SizeResult[] = [];
try {
  const { my, s3, connection } = await benchConnection(running);
  const pg = running.services.postgres;
  if (!pg) throw new Error("services did not start");
  const s3Client = createTestS3Client(s3);
  for (const rows of sizes) {
    log(`\n== ${rows} rows x 20 columns`);
    await connection.query("CREATE DATABASE IF NOT EXISTS bench; USE bench; DROP TABLE IF EXISTS wide20");
    await connection.query(wideTableDdl);
    await fillWideTable(connection, rows, log);
    await connection.query("ANALYZE TABLE wide20");

    // References: the stock client streaming every row to /dev/null, measured in this run;
    // once as a plain scan (the target's yardstick), once in sluice's keyset order.
    // Each measured process also costs the source server CPU on the same 2 cores: read
    // around each one, it says how much of the machine the pair needed.
    const serverCpu = async <T>(
      measure: () => Promise<T>,
    ): Promise<T & { serverCpuSeconds: number; stealShare: number | null }> => {
      const before = await mariadbServerCpuSeconds(my);
      const measured = await withCpuSteal(measure);
      return { ...measured, serverCpuSeconds: (await mariadbServerCpuSeconds(my)) - before };
    };
    const runClient = (sql: string) => serverCpu(() => mariadbReference(my, "bench", sql));
    // The machine may be shared: the figures say how busy it was when they were taken.
    const loadAverageBefore = loadavg()[0] ?? 0;
    const reference = await runClient("SELECT * FROM wide20");
    log(`  reference mariadb --quick --batch: ${reference.seconds.toFixed(2)} s`);
    const ordered = await runClient(
      "SELECT * FROM wide20 FORCE INDEX (wide20_updated_at_id) ORDER BY updated_at, id",
    );
    log(`  same, in keyset order (updated_at, id): ${ordered.seconds.toFixed(2)} s`);

    const prefix = `bench-${rows}-${Date.now()}`;
    // The Node flags the `sluice` executable's shebang carries, so the bench runs it as users do.
    const sluiceArgs = [
      ...(await shebangNodeFlags(join(repoRoot, "apps/cli/dist/main.js"))),
      join(repoRoot, "apps/cli/dist/main.js"),
    ];
    const s3Env = {
      ...process.env,
      ...(await shebangEnv(join(repoRoot, "apps/cli/dist/main.js"))),
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    const runSluice = async (lakePrefix: string, extra: readonly string[]) => {
      const measured = await serverCpu(() =>
        measureProcess(
          process.execPath,
          [
            ...sluiceArgs,
            "sync",
            "--backup-only",
            "--json",
            "-t",
            "bench.wide20",
            "--source",
            my.url.replace(/\/[^/]*$/, "/bench"),
            "--lake",
            `s3://${s3.bucket}/${lakePrefix}`,
            ...extra,
          ],
          s3Env,
        ),
      );
      if (measured.exitCode !== 0) throw new Error(`sluice failed: ${measured.stderr}`);
      const report = JSON.parse(measured.stdout) as {
        extract: { rows: number; bytes: number; files: number };
      };
      if (report.extract.rows !== rows)
        throw new Error(`sluice moved ${report.extract.rows} rows, expected ${rows}`);
      return { ...measured, report };
    };
    const sluice = await runSluice(prefix, []);
    const { report } = sluice;
    log(
      `  sluice sync --backup-only: ${sluice.seconds.toFixed(2)} s, peak RSS ${(sluice.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );
    // The same first run with the snapshot's key ranges read on parallel connections,
    // each on its own thread (a lake of its own: a first run again).
    const lanes = await runSluice(`${prefix}-lanes`, ["--snapshot-connections", String(snapshotConnections)]);
    log(
      `  sluice sync --backup-only --snapshot-connections ${snapshotConnections}: ${lanes.seconds.toFixed(2)} s, peak RSS ${(lanes.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
    );

    const load = await measurePostgresLoad({
      rows,
      pg,
      connection,
      nodeArgs: sluiceArgs,
      env: s3Env,
      lake: `s3://${s3.bucket}/${prefix}`,
      log,
    });
    const duckdbBytes = await duckdbZstdBytes(s3Client, s3.bucket, prefix, rows);
    results.push({
      rows,
      referenceSeconds: reference.seconds,
      referenceRowsPerSecond: rows / reference.seconds,
      sluiceSeconds: sluice.seconds,
      sluiceRowsPerSecond: rows / sluice.seconds,
      ratio: reference.seconds / sluice.seconds,
      orderedReferenceSeconds: ordered.seconds,
      peakRssMiB: sluice.peakRssBytes / 2 ** 20,
      cpu: {
        reference: { process: reference.cpuSeconds, server: reference.serverCpuSeconds },
        sluice: { process: sluice.cpuSeconds, server: sluice.serverCpuSeconds },
        lanes: { process: lanes.cpuSeconds, server: lanes.serverCpuSeconds },
      },
      sluiceParquetBytes: report.extract.bytes,
      duckdbParquetBytes: duckdbBytes,
      files: report.extract.files,
      load,
      loadAverageBefore,
      steal: { reference: reference.stealShare, sluice: sluice.stealShare, lanes: lanes.stealShare },
      lanes: {
        connections: snapshotConnections,
        seconds: lanes.seconds,
        ratio: reference.seconds / lanes.seconds,
        peakRssMiB: lanes.peakRssBytes / 2 ** 20,
      },
    });
    await connection.query("DROP TABLE wide20");
  }
  await connection.end();
} finally {
  await running.stop();
}

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`;
await mkdir(join(repoRoot, "bench-results"), { recursive: true });
await writeFile(
  join(repoRoot, "bench-results/latest.json"),
  `${JSON.stringify({ machine, results }, null, 2)}\n`,
);
const docPath = join(repoRoot, "docs/benchmarks.md");
const previous = await readFile(docPath, "utf8").catch(() => "");
await writeFile(docPath, renderBenchmarkDoc(machine, cpus().length, results, new Date(), previous));
for (const r of results) {
  log(
    `${r.rows} rows: reference ${Math.round(r.referenceRowsPerSecond)} rows/s, sluice ${Math.round(r.sluiceRowsPerSecond)} rows/s, ratio ${r.ratio.toFixed(2)}, peak RSS ${r.peakRssMiB.toFixed(0)} MiB; --snapshot-connections ${r.lanes.connections}: ratio ${r.lanes.ratio.toFixed(2)}, peak RSS ${r.lanes.peakRssMiB.toFixed(0)} MiB; Parquet ${r.sluiceParquetBytes} B vs DuckDB ${r.duckdbParquetBytes} B (${(r.sluiceParquetBytes / r.duckdbParquetBytes).toFixed(2)}x); PostgreSQL load ${Math.round(r.rows / r.load.sluiceSeconds)} rows/s vs COPY ${Math.round(r.rows / r.load.copySeconds)} rows/s, ratio ${(r.load.copySeconds / r.load.sluiceSeconds).toFixed(2)}`,
  );
}
log("figures written to docs/benchmarks.md");

/** DuckDB re-encodes the very rows sluice staged with its own ZSTD writer: same rows, independent encoder. */
async function duckdbZstdBytes(
  client: ReturnType<typeof createTestS3Client>,
  bucket: string,
  prefix: string,
  rows: number,
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-bench-"));
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? "").filter((k) => k.endsWith(".parquet"));
    const paths: string[] = [];
    for (const [index, key] of keys.entries()) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const path = join(dir, `part-${index}.parquet`);
      if (!object.Body) throw new Error(`empty body for ${key}`);
      await writeFile(path, await object.Body.transformToByteArray());
      paths.push(path);
    }
    const duck = await DuckDBInstance.create(":memory:");
    const db = await duck.connect();
    const list = paths.map((p) => `'${p}'`).join(", ");
    const counted = await db.runAndReadAll(`SELECT COUNT(*)::BIGINT FROM read_parquet([${list}])`);
    const seen = Number(counted.getRows()[0]?.[0]);
    if (seen !== rows) throw new Error(`DuckDB reads ${seen} rows from sluice's files, expected ${rows}`);
    const out = join(dir, "duckdb.parquet");
    await db.run(
      `COPY (SELECT * FROM read_parquet([${list}])) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`,
    );
    db.closeSync();
    return (await stat(out)).size;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
