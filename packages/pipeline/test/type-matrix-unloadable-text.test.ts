import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalObjectStore, createS3ObjectStore } from "@sluice/connectors";
import { createWarehouse, parseWarehouseUrl } from "@sluice/redshift-loader";
import { createTestPgClient } from "@sluice/test-services";
import { describe, expect, inject, it } from "vitest";
import { syncTable } from "../src/index.js";
import { syncOptions } from "./sync-fixture.js";
import {
  createMatrixTable,
  expectSameValues,
  type MatrixTable,
  parquetText,
  sourceText,
  syncMatrixTable,
  targetText,
} from "./type-matrix-fixture.js";

// U+0000 is legal in MySQL text (CHAR(0)); neither PostgreSQL text nor Redshift VARCHAR
// takes it. A latin1 column next to utf8mb4 ones: the server converts it to UTF-8
// (0x80 is the euro sign, 3 bytes), so 20 latin1 characters can be 60 staged bytes.
const table = (schema: string, sourceOf?: (column: string) => string): MatrixTable => ({
  schema,
  table: "notes",
  columns: [
    { name: "u", ddl: "VARCHAR(40) CHARACTER SET utf8mb4 NULL" },
    { name: "l", ddl: "VARCHAR(20) CHARACTER SET latin1 NULL" },
    { name: "t", ddl: "TEXT NULL" },
  ].map((column) => (sourceOf ? { ...column, source: sourceOf(column.name) } : column)),
  rows: [
    "'clean 😀', CONCAT(X'80', 'ÿ'), 'plain'",
    "CONCAT('a', CHAR(0), 'b', CHAR(0)), CONCAT('x', CHAR(0)), CONCAT(CHAR(0), 'q')",
    "NULL, REPEAT(X'80', 20), REPEAT(CHAR(0), 3)",
    "'', '', ''",
  ],
});

/** MariaDB's own rendering of what each policy must stage: NUL removed, or U+FFFD for each. */
const stripped = () => "REPLACE(CONVERT(c USING utf8mb4), CHAR(0 USING utf8mb4), '')";
const replaced = () => "REPLACE(CONVERT(c USING utf8mb4), CHAR(0 USING utf8mb4), _utf8mb4 X'EFBFBD')";

function redshiftTarget(prefix: string) {
  const services = inject("sluiceServices");
  const lake = createS3ObjectStore({
    bucket: services.s3.bucket,
    prefix,
    endpoint: services.s3.endpoint,
    region: services.s3.region,
    credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
    forcePathStyle: true,
  });
  const connection = parseWarehouseUrl(services.redshift.url)._unsafeUnwrap();
  return { lake, warehouse: { connection: createWarehouse({ connection, lake }) } };
}

describe("U+0000 (NUL) in text: found at extraction, before anything is committed", () => {
  it("stops the run by default, naming the table, column, row key and the fix; no manifest, no watermark", async () => {
    const definition = table("tm_nul_fail");
    await (await createMatrixTable(definition)).end();
    const directory = await mkdtemp(join(tmpdir(), "sluice-nul-lake-"));
    const lake = createLocalObjectStore({ directory });
    const result = await syncTable(
      syncOptions({ schema: definition.schema, table: "notes" }, lake, { strategy: "id", pageSize: 2 }),
    );
    expect(result.isErr()).toBe(true);
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("encode");
    for (const part of [
      "tm_nul_fail.notes",
      "column u",
      "id=2",
      "U+0000",
      "--nul-in-text strip",
      "--nul-in-text replace",
      "Nothing of this run was committed",
    ]) {
      expect(error.message).toContain(part);
    }
    const left = (await readdir(directory, { recursive: true })).filter(
      (entry) => entry.endsWith(".json") || entry.endsWith(".parquet") || entry.endsWith(".manifest"),
    );
    // The lease and the failure marker for Airflow are all that may remain: no parts,
    // no manifests, no watermark.
    expect(left.filter((entry) => !entry.endsWith("lease.json") && !entry.startsWith("_markers/"))).toEqual(
      [],
    );
    expect(left.some((entry) => entry.startsWith("_state/") && entry.endsWith("watermark.json"))).toBe(false);
    const pg = await createTestPgClient(inject("sluiceServices").postgres);
    try {
      const exists = await pg.query(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'tm_nul_fail'",
      );
      expect(exists.rows[0]?.n).toBe(0);
    } finally {
      await pg.end();
    }
  });

  it('with nulInText: "strip", loads into PostgreSQL without the NULs, counted per column', async () => {
    const definition = table("tm_nul_strip", stripped);
    const connection = await createMatrixTable(definition);
    try {
      const run = await syncMatrixTable(definition, { nulInText: "strip" });
      expect(run.report.extract?.nulTextValues).toEqual({ u: 1, l: 1, t: 2 });
      expect(run.report.load?.rowsStaged).toBe(4);
      const source = await sourceText(connection, definition);
      expect(source[1]).toEqual(["ab", "x", "q"]);
      expectSameValues(definition, source, await parquetText(run.files, definition), "Parquet via DuckDB");
      expectSameValues(definition, source, await targetText(definition), "PostgreSQL target");
    } finally {
      await connection.end();
    }
  });

  it('with nulInText: "replace", loads through the Redshift gateway with U+FFFD for each NUL, mixed charsets exact', async () => {
    const definition = table("tm_nul_replace", replaced);
    const connection = await createMatrixTable(definition);
    try {
      const pg = await createTestPgClient(inject("sluiceServices").postgres);
      await pg.query(`DROP SCHEMA IF EXISTS "${definition.schema}" CASCADE`);
      await pg.end();
      const { lake, warehouse } = redshiftTarget(`nul-replace-${process.pid}`);
      const result = await syncTable(
        syncOptions({ schema: definition.schema, table: "notes" }, lake, {
          strategy: "id",
          pageSize: 2,
          nulInText: "replace",
          warehouse,
        }),
      );
      const report = result._unsafeUnwrap();
      expect(report.extract?.nulTextValues).toEqual({ u: 1, l: 1, t: 2 });
      expect(report.load?.rowsStaged).toBe(4);
      const source = await sourceText(connection, definition);
      expect(source[2]).toEqual([null, "€".repeat(20), "\uFFFD".repeat(3)]);
      expectSameValues(definition, source, await targetText(definition), "Redshift gateway target");
    } finally {
      await connection.end();
    }
  });
});

describe("text that is not UTF-8 in MariaDB", () => {
  it("is refused by strict MariaDB, and what a lax insert leaves arrives as the server sends it", async () => {
    const definition: MatrixTable = {
      schema: "tm_bad_utf8",
      table: "notes",
      columns: [
        {
          name: "u",
          ddl: "VARCHAR(20) CHARACTER SET utf8mb4 NULL",
          source: "HEX(c)",
          pg: "upper(encode(convert_to(c, 'UTF8'), 'hex'))",
        },
        {
          name: "l",
          ddl: "VARCHAR(20) CHARACTER SET latin1 NULL",
          source: "HEX(CONVERT(c USING utf8mb4))",
          pg: "upper(encode(convert_to(c, 'UTF8'), 'hex'))",
        },
      ],
      // Lax mode: invalid UTF-8 written to utf8mb4 becomes '?' (a warning), a CAST smuggles
      // the bytes of an encoded surrogate (ED A0 80) in unchanged; latin1 takes every byte.
      rows: ["X'C328FF', X'80FF'", "CAST(X'EDA080' AS CHAR CHARACTER SET utf8mb4), X'00E9'"],
      sqlMode: "",
    };
    const connection = await createMatrixTable(definition);
    try {
      await expect(
        connection
          .query("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'")
          .then(() => connection.query(`INSERT INTO tm_bad_utf8.notes (id, u) VALUES (9, X'C328')`)),
      ).rejects.toThrow(/Incorrect string value/);
      const source = await sourceText(connection, definition);
      expect(source).toEqual([
        ["3F283F", "E282ACC3BF"],
        ["EDA080", "00C3A9"],
      ]);
      const run = await syncMatrixTable(definition, { nulInText: "replace" });
      expect(run.report.extract?.nulTextValues).toEqual({ l: 1 });
      // mysql2 decodes with a UTF-8 decoder: the three bytes of the encoded surrogate
      // arrive as three U+FFFD (documented in docs/types.md); latin1 is converted by the server.
      expect(await targetText(definition)).toEqual([
        ["3F283F", "E282ACC3BF"],
        ["EFBFBDEFBFBDEFBFBD", "EFBFBDC3A9"],
      ]);
    } finally {
      await connection.end();
    }
  });
});
