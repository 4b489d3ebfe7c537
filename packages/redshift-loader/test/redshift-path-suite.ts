import type { ColumnSpec, RunManifest } from "@sluice/core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLoader, type WarehouseConnection, type WarehouseLoader } from "../src/index.js";
import { everyTypeColumns } from "./orders-columns.js";
import { stageRun, targetAsText, uniqueSchema } from "./pg-load-fixture.js";
import { putRedshiftManifest, type RedshiftTarget } from "./redshift-target.js";

/** A session on the warehouse itself (not the check connection), as the loader opens it. */
async function warehouseClient(connection: WarehouseConnection): Promise<pg.Client> {
  const client = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    ssl:
      connection.sslMode === "disable" ? false : { rejectUnauthorized: connection.sslMode === "verify-full" },
  });
  await client.connect();
  return client;
}

// Every logical type, at values Redshift can hold. JSON is staged as text and parsed
// into SUPER by JSON_PARSE in the merge; it is compared parsed, since Redshift and
// PostgreSQL print documents differently.
const columns: readonly ColumnSpec[] = everyTypeColumns;
const jsonDocument = { b: [1, 2.5, { c: '😀 "q"' }], a: null, n: -0.125 };
const names = columns.map((column) => column.name);
const specialText = "tab\there\nnew line\\back\rcr 'single' \"double\" ü 😀 \\N";
const fullRow = [
  "1",
  255,
  -128,
  65535,
  -2147483648,
  4294967295,
  "18446744073709551615",
  "-1234567890123456.78",
  0.1,
  Math.PI,
  "2024-02-29",
  "2024-05-01 12:34:56.123456",
  "2024-05-01 12:00:00",
  "-838:59:59",
  2024,
  specialText,
  "",
  "x".repeat(65_535),
  Buffer.from("00ff10203040506070809aabbccddeef", "hex"),
  JSON.stringify(jsonDocument),
  Buffer.from([0b1010_0101]),
  Buffer.from("ffffffffffffffff", "hex"),
  1,
];
const nullRow = [
  "2",
  null,
  null,
  null,
  null,
  null,
  null,
  "0.00",
  null,
  null,
  "0000-00-00",
  null,
  "2024-05-01 12:00:01",
  null,
  null,
  "",
  null,
  null,
  null,
  null,
  null,
  null,
  0,
];
const expectedText = [
  [
    "1",
    "255",
    "-128",
    "65535",
    "-2147483648",
    "4294967295",
    "18446744073709551615",
    "-1234567890123456.78",
    "0.1",
    "3.141592653589793",
    "2024-02-29",
    "2024-05-01 12:34:56.123456",
    "2024-05-01 12:00:00+00",
    "-838:59:59",
    "2024",
    specialText,
    "",
    "x".repeat(65_535),
    "\\x00ff10203040506070809aabbccddeef",
    jsonDocument,
    "165",
    "18446744073709551615",
    "true",
  ],
  [
    "2",
    null,
    null,
    null,
    null,
    null,
    null,
    "0.00",
    null,
    null,
    null,
    null,
    "2024-05-01 12:00:01+00",
    null,
    null,
    "",
    null,
    null,
    null,
    null,
    null,
    null,
    "false",
  ],
];

/**
 * The loader's Redshift path end to end: DDL, LOCK, COPY ... FORMAT AS PARQUET
 * MANIFEST from S3, merge and ledger in one transaction. Runs against the gateway
 * in the normal suite and against a live cluster in test-live/.
 */
export function describeRedshiftPath(title: string, target: () => RedshiftTarget): void {
  describe(title, () => {
    const schema = uniqueSchema("rl_redshift").toLowerCase();
    const ledgerSchema = uniqueSchema("rl_rs_ledger").toLowerCase();
    let redshift: RedshiftTarget;
    let loader: WarehouseLoader;
    let check: pg.Client;

    const open = async () =>
      (
        await openLoader({ connection: redshift.connection, lake: redshift.lake, ledgerSchema })
      )._unsafeUnwrap();
    const ledgerRows = async (table: string) =>
      (
        await check.query(
          `SELECT run_id, file_key, rows::text AS rows FROM "${ledgerSchema}".sluice_load_ledger WHERE source_table = $1 ORDER BY run_id, file_key`,
          [table],
        )
      ).rows;
    const stage = (table: string, runId: string, parts: unknown[][][], runColumns = columns) =>
      stageRun(redshift.lake, {
        table,
        runId,
        columns: runColumns,
        primaryKey: ["id"],
        cursorColumn: "updated_at",
        parts: parts as never,
      });
    const load = async (manifest: RunManifest, body?: string) =>
      loader.loadRun(manifest, await putRedshiftManifest(redshift.lake, manifest, body));

    beforeAll(async () => {
      redshift = target();
      loader = await open();
      check = await redshift.check();
    });

    afterAll(async () => {
      await loader?.close();
      await check?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await check?.query(`DROP SCHEMA IF EXISTS "${ledgerSchema}" CASCADE`);
      await check?.end();
    });

    it("loads every logical type exactly through COPY ... FORMAT AS PARQUET MANIFEST", async () => {
      const table = `${schema}.orders`;
      const manifest = await stage(table, "r1", [[fullRow], [nullRow]]);
      const report = (await load(manifest))._unsafeUnwrap();
      expect(report).toMatchObject({ skipped: false, filesLoaded: 2, rowsStaged: 2, rowsInserted: 2 });
      const rows = await targetAsText(check, `"${schema}"."orders"`, names, '"id"');
      for (const [rowIndex, row] of rows.entries()) {
        for (const [columnIndex, name] of names.entries()) {
          const expected = expectedText[rowIndex]?.[columnIndex];
          const value = row[columnIndex];
          // A document (not a string scalar holding its text) in SUPER, equal when parsed.
          const actual =
            typeof expected === "object" && expected !== null && value ? JSON.parse(value) : value;
          expect({ column: name, value: actual }).toEqual({ column: name, value: expected });
        }
      }
      expect(await ledgerRows(table)).toHaveLength(2);
      // The same run again is skipped: the ledger knows it.
      expect((await load(manifest))._unsafeUnwrap()).toMatchObject({ skipped: true });
    });

    it("merges a later run by key and keeps the latest version", async () => {
      const table = `${schema}.merged`;
      const row = (id: string, name: string, updated: string) => {
        const values = [...nullRow];
        values[0] = id;
        values[15] = name;
        values[12] = updated;
        return values;
      };
      await load(
        await stage(table, "r1", [
          [row("1", "old", "2024-01-01 00:00:01"), row("2", "two", "2024-01-01 00:00:02")],
        ]),
      );
      const report = (
        await load(await stage(table, "r2", [[row("1", "new", "2024-01-02 00:00:00")]]))
      )._unsafeUnwrap();
      expect(report).toMatchObject({ rowsStaged: 1, rowsDeleted: 1, rowsInserted: 1 });
      const rows = await targetAsText(check, `"${schema}"."merged"`, ["id", "name"], '"id"');
      expect(rows).toEqual([
        ["1", "new"],
        ["2", "two"],
      ]);
    });

    describe("Redshift's COPY rules, each failing the whole load with the ledger unchanged", () => {
      const table = `${schema}.guarded`;
      let baseline: { ledger: unknown[]; rows: (string | null)[][] };
      const snapshot = async () => ({
        ledger: await ledgerRows(table),
        rows: await targetAsText(check, `"${schema}"."guarded"`, ["id", "name"], '"id"'),
      });

      beforeAll(async () => {
        (await load(await stage(table, "r0", [[fullRow]])))._unsafeUnwrap();
        baseline = await snapshot();
        expect(baseline.rows).toHaveLength(1);
      });

      it("refuses COPY with MAXERROR for Parquet", async () => {
        const manifest = await stage(table, "r-maxerror", [[nullRow]]);
        const uri = await putRedshiftManifest(redshift.lake, manifest);
        const client = await warehouseClient(redshift.connection);
        try {
          await expect(
            client.query(
              `COPY "${schema}"."guarded" FROM '${uri}' IAM_ROLE '${redshift.connection.iamRole}' FORMAT AS PARQUET MANIFEST MAXERROR 10`,
            ),
          ).rejects.toThrow(/MAXERROR/);
        } finally {
          await client.end();
        }
        expect(await snapshot()).toEqual(baseline);
      });

      it("fails a manifest entry without meta.content_length", async () => {
        const manifest = await stage(table, "r-nolength", [[nullRow]]);
        const body = JSON.stringify({
          entries: manifest.files.map((file) => ({ url: file.uri, mandatory: true })),
        });
        const result = await load(manifest, body);
        expect(result._unsafeUnwrapErr().message).toMatch(/content_length/);
        expect(await snapshot()).toEqual(baseline);
      });

      it("loads a file listed twice twice, which the staged row count check then refuses", async () => {
        const manifest = await stage(table, "r-twice", [[nullRow]]);
        const [file] = manifest.files;
        const entry = { url: file?.uri, mandatory: true, meta: { content_length: file?.sizeBytes } };
        const result = await load(manifest, JSON.stringify({ entries: [entry, entry] }));
        expect(result._unsafeUnwrapErr().message).toMatch(
          /staging holds 2 rows but the run manifest lists 1/,
        );
        expect(await snapshot()).toEqual(baseline);
      });

      it("fails when a part has fewer columns than the target (positional COPY, equal counts)", async () => {
        const manifest = await stage(table, "r-columns", [[nullRow]]);
        // A run manifest naming a column its parts lack: the loader adds it to the
        // target, and COPY then finds a file one column short.
        const widened: RunManifest = {
          ...manifest,
          columns: [
            ...manifest.columns,
            {
              name: "added",
              sourceType: "int",
              logical: { kind: "integer", bits: 32, unsigned: false },
              nullable: true,
            },
          ],
        };
        const result = await load(widened);
        expect(result._unsafeUnwrapErr().message).toMatch(/Spectrum Scan Error|incompatible/);
        expect(await snapshot()).toEqual(baseline);
        const added = await check.query(
          "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'guarded' AND column_name = 'added'",
          [schema],
        );
        expect(added.rows).toHaveLength(0); // the ALTER TABLE rolled back with the rest
      });
    });
  });
}
