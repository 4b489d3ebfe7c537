import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { createLocalObjectStore } from "@sluice/connectors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncTable } from "../src/index.js";
import { createSettlementSource, normaliseDoubles, sourceRowsAsText, syncOptions } from "./sync-fixture.js";

const schema = "pipeline_parquet";
let source: Awaited<ReturnType<typeof createSettlementSource>>;

beforeAll(async () => {
  source = await createSettlementSource(schema, 3_500);
});
afterAll(async () => {
  await source?.end();
});

async function parquetFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true });
  return entries.filter((entry) => entry.endsWith(".parquet")).map((entry) => join(directory, entry));
}

describe("the staged Parquet, read by an independent reader (DuckDB), equals MariaDB", () => {
  it("value by value, in Hive-partitioned keys", async () => {
    const { mkdtemp } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const directory = await mkdtemp(join(tmpdir(), "sluice-parquet-lake-"));
    const lake = createLocalObjectStore({ directory });
    const run = (
      await syncTable(syncOptions({ schema, table: "settlement" }, lake, { mode: "backup-only" }))
    )._unsafeUnwrap();
    expect(run.extract?.files).toBe(3);

    const files = await parquetFiles(directory);
    expect(files).toHaveLength(3);
    for (const file of files) {
      expect(file).toMatch(
        /pipeline_parquet\.settlement\/year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/\d{8}T\d{9}Z-[a-z0-9]+_batch_000[1-3]\.parquet$/,
      );
    }

    const duck = await DuckDBInstance.create(":memory:");
    const db = await duck.connect();
    await db.run("SET TimeZone = 'UTC'");
    const list = files.map((file) => `'${file}'`).join(", ");
    const reader = await db.runAndReadAll(`
      SELECT CAST(id AS VARCHAR), CAST(merchant_id AS VARCHAR), CAST(amount AS VARCHAR), currency, status, note,
             strftime(settled_at, '%Y-%m-%d %H:%M:%S.%f'), CAST(fx_rate AS VARCHAR),
             strftime(created_at, '%Y-%m-%d %H:%M:%S.%f'), strftime(updated_at, '%Y-%m-%d %H:%M:%S.%f')
      FROM read_parquet([${list}]) ORDER BY id`);
    const parquetRows = reader
      .getRows()
      .map((row) => row.map((value) => (value === null ? null : String(value))));
    db.closeSync();
    expect(normaliseDoubles(parquetRows as string[][])).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );
  });

  it("writes a run manifest listing exactly the staged files, and a Redshift manifest with content lengths", async () => {
    const { mkdtemp, readFile, stat } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const directory = await mkdtemp(join(tmpdir(), "sluice-parquet-lake-"));
    const lake = createLocalObjectStore({ directory });
    const run = (
      await syncTable(syncOptions({ schema, table: "settlement" }, lake, { mode: "backup-only" }))
    )._unsafeUnwrap();
    const manifest = JSON.parse(
      await readFile(join(directory, run.extract?.manifestKey ?? "missing"), "utf8"),
    );
    const files = await parquetFiles(directory);
    expect(manifest.files.map((file: { key: string }) => join(directory, file.key)).sort()).toEqual(
      files.sort(),
    );
    expect(manifest.rows).toBe(3_500);
    const redshift = JSON.parse(
      await readFile(
        join(directory, `${schema}.settlement/_manifests/${run.extract?.runId}.manifest`),
        "utf8",
      ),
    );
    for (const entry of redshift.entries) {
      expect(entry.mandatory).toBe(true);
      const path = fileURLToPath(entry.url);
      expect(entry.meta.content_length).toBe((await stat(path)).size);
    }
  });
});
