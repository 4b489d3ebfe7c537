import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalObjectStore } from "@sluice/connectors";
import type { ColumnSpec, ObjectStore, RunManifest, SourceValue, StagedFile } from "@sluice/core";
import { createParquetPartWriter } from "@sluice/parquet-writer";
import pg from "pg";
import { inject } from "vitest";
// Type-only (erased at runtime); brings the `inject("sluiceServices")` typing.
import type { PostgresEndpoint } from "../../test-services/src/services-contract.js";
import { parseWarehouseUrl, type WarehouseConnection } from "../src/index.js";

export function privatePostgres(): { endpoint: PostgresEndpoint; connection: WarehouseConnection } {
  const endpoint = inject("sluiceServices").postgres;
  return { endpoint, connection: parseWarehouseUrl(endpoint.url)._unsafeUnwrap() };
}

export async function checkClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: privatePostgres().endpoint.url });
  await client.connect();
  await client.query("SET timezone TO 'UTC'");
  return client;
}

export async function temporaryLake(): Promise<{
  lake: ObjectStore;
  directory: string;
  dispose(): Promise<void>;
}> {
  const directory = await mkdtemp(join(tmpdir(), "sluice-loader-lake-"));
  return {
    lake: createLocalObjectStore({ directory }),
    directory,
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}

export interface RunInput {
  readonly table: string;
  readonly runId: string;
  readonly columns: readonly ColumnSpec[];
  readonly primaryKey: readonly string[];
  readonly cursorColumn: string | null;
  /** Rows per part, in part order. */
  readonly parts: readonly (readonly (readonly SourceValue[])[])[];
  readonly columnStats?: RunManifest["columnStats"];
}

/** Writes each part with parquet-writer, puts it in the lake and returns the run manifest. */
export async function stageRun(lake: ObjectStore, input: RunInput): Promise<RunManifest> {
  const scratch = await mkdtemp(join(tmpdir(), "sluice-loader-parts-"));
  const files: StagedFile[] = [];
  try {
    for (const [index, rows] of input.parts.entries()) {
      const path = join(scratch, `part-${index}.parquet`);
      const writer = createParquetPartWriter({ table: input.table, columns: input.columns, path });
      await writer.write({ rows });
      const summary = await writer.finish();
      const key = `${input.table.replace(".", "/")}/run=${input.runId}/part-${String(index).padStart(4, "0")}.parquet`;
      const stored = (await lake.putFile(key, path))._unsafeUnwrap();
      files.push({ key, uri: lake.uriFor(key), sizeBytes: stored.sizeBytes, rows: summary.rows });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return {
    version: 1,
    table: input.table,
    runId: input.runId,
    createdAt: new Date().toISOString(),
    strategy: "test",
    columns: input.columns,
    primaryKey: input.primaryKey,
    cursorColumn: input.cursorColumn,
    files,
    rows: files.reduce((sum, file) => sum + file.rows, 0),
    ...(input.columnStats ? { columnStats: input.columnStats } : {}),
  };
}

/** Every column cast to text by PostgreSQL itself, rows ordered by the given SQL. */
export async function targetAsText(
  client: pg.Client,
  qualified: string,
  columns: readonly string[],
  orderBy: string,
): Promise<(string | null)[][]> {
  const list = columns.map((name) => `"${name}"::text`).join(", ");
  const result = await client.query({
    text: `SELECT ${list} FROM ${qualified} ORDER BY ${orderBy}`,
    rowMode: "array",
  });
  return result.rows as (string | null)[][];
}

export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.floor(Math.random() * 1e9).toString(36)}`;
}
