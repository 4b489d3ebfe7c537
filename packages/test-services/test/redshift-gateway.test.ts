import { PutObjectCommand } from "@aws-sdk/client-s3";
import { type ColumnSource, parquetWriteBuffer } from "hyparquet-writer";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestS3Client } from "../src/index.js";

const services = inject("sluiceServices");
const gateway = services.redshift;
const s3 = createTestS3Client(services.s3);
const bucket = services.s3.bucket;
const tag = `${process.pid}_${Math.floor(Math.random() * 1e9).toString(36)}`;
const prefix = `gateway-test-${tag}`;
const schema = `gw_${tag}`;
const role = gateway.iamRole;
let client: pg.Client;

function connect(extra: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({
    host: gateway.host,
    port: gateway.port,
    user: gateway.user,
    password: gateway.password,
    database: gateway.database,
    ssl: false,
    ...extra,
  });
}

async function put(key: string, body: Uint8Array | string): Promise<string> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${key}`, Body: body }));
  return `s3://${bucket}/${prefix}/${key}`;
}

function parquet(columns: ColumnSource[]): Uint8Array {
  return new Uint8Array(parquetWriteBuffer({ columnData: columns }));
}

/** A two-column file matching `(id INTEGER, name VARCHAR(8))`. */
function people(ids: number[], names: string[]): Uint8Array {
  return parquet([
    { name: "id", data: Int32Array.from(ids), type: "INT32", nullable: false },
    { name: "name", data: names, type: "STRING" },
  ]);
}

async function manifestFor(name: string, entries: object[]): Promise<string> {
  return put(`${name}.manifest`, JSON.stringify({ entries }));
}

async function fileEntry(key: string, body: Uint8Array, extra: object = {}): Promise<object> {
  const url = await put(key, body);
  return { url, mandatory: true, meta: { content_length: body.length }, ...extra };
}

async function freshTable(name: string, columns = "id INTEGER NOT NULL, name VARCHAR(8)"): Promise<string> {
  const table = `${schema}.${name}`;
  await client.query(`CREATE TABLE ${table} (${columns}) DISTSTYLE AUTO SORTKEY (id)`);
  return table;
}

const count = async (table: string) =>
  Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]?.n);

const copy = (table: string, source: string, options = "MANIFEST") =>
  client.query(`COPY ${table} FROM '${source}' IAM_ROLE '${role}' FORMAT AS PARQUET ${options}`);

beforeAll(async () => {
  client = connect();
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
});

afterAll(async () => {
  await client?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await client?.end();
  s3.destroy();
});

describe("Redshift gateway: wire protocol", () => {
  it("answers SSLRequest with N, so a TLS-only client is refused", async () => {
    const tls = connect({ ssl: { rejectUnauthorized: false } });
    await expect(tls.connect()).rejects.toThrow(/does not support SSL/);
  });

  it("lets PostgreSQL authenticate: a wrong password fails with 28P01", async () => {
    const wrong = connect({ password: "not-the-password" });
    await expect(wrong.connect()).rejects.toMatchObject({ code: "28P01" });
  });

  it("relays the simple and the extended (parameterised) query protocol", async () => {
    const simple = await client.query("SELECT 40 + 2 AS answer");
    expect(simple.rows).toEqual([{ answer: 42 }]);
    const extended = await client.query("SELECT $1::int + $2::int AS answer, $3::text AS word", [
      40,
      2,
      "hé",
    ]);
    expect(extended.rows).toEqual([{ answer: 42, word: "hé" }]);
  });

  it("translates Redshift DDL and functions PostgreSQL lacks", async () => {
    const table = `${schema}.ddl`;
    await client.query(`CREATE TABLE ${table} (
      id BIGINT ENCODE az64 DISTKEY,
      doc SUPER,
      raw VARBYTE(4) ENCODE zstd,
      name VARCHAR(8) ENCODE lzo,
      at TIMESTAMP
    ) DISTSTYLE KEY COMPOUND SORTKEY (id, at) BACKUP NO`);
    const types = await client.query(
      `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = '${table}'::regclass AND attnum > 0 ORDER BY attnum`,
    );
    expect(types.rows.map((row) => row.type)).toEqual([
      "bigint",
      "redshift.super",
      "redshift.varbyte_4",
      "character varying(8)",
      "timestamp without time zone",
    ]);
    // GETDATE() inside a parameterised statement (Parse is translated too).
    await client.query(`INSERT INTO ${table} (id, raw, at) VALUES ($1, '\\x01020304', GETDATE())`, [1]);
    const at = await client.query(`SELECT at = date_trunc('second', at) AS whole FROM ${table}`);
    expect(at.rows).toEqual([{ whole: true }]);
    // VARBYTE(4) keeps its byte limit.
    await expect(client.query(`INSERT INTO ${table} (id, raw) VALUES (2, '\\x0102030405')`)).rejects.toThrow(
      /varbyte_4/,
    );
    await client.query(`ALTER TABLE ${table} ALTER DISTSTYLE EVEN`);
    // SVV_COLUMNS names the Redshift types (the loader's contract check reads it).
    const catalog = await client.query(
      "SELECT column_name, data_type, character_maximum_length FROM svv_columns WHERE table_schema = $1 AND table_name = 'ddl' ORDER BY ordinal_position",
      [schema],
    );
    expect(catalog.rows.map((row) => [row.column_name, row.data_type, row.character_maximum_length])).toEqual(
      [
        ["id", "bigint", null],
        ["doc", "super", null],
        ["raw", "binary varying", 4],
        ["name", "character varying", 8],
        ["at", "timestamp without time zone", null],
      ],
    );
  });
});

describe("Redshift gateway: COPY FROM S3 FORMAT AS PARQUET", () => {
  it("loads the files of a manifest through the client's session and reports COPY n", async () => {
    const table = await freshTable("loaded");
    const first = await fileEntry("loaded/a.parquet", people([1, 2], ["ann", "bob"]));
    const second = await fileEntry("loaded/b.parquet", people([3], ["cid"]));
    const result = await copy(table, await manifestFor("loaded", [first, second]));
    expect(result.command).toBe("COPY");
    expect(result.rowCount).toBe(3);
    const rows = await client.query(`SELECT id, name FROM ${table} ORDER BY id`);
    expect(rows.rows).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
      { id: 3, name: "cid" },
    ]);
  });

  it("loads a file listed twice twice", async () => {
    const table = await freshTable("twice");
    const entry = await fileEntry("twice/a.parquet", people([1, 2], ["ann", "bob"]));
    await copy(table, await manifestFor("twice", [entry, entry]));
    expect(await count(table)).toBe(4);
  });

  it("without MANIFEST loads every object under the prefix", async () => {
    const table = await freshTable("prefixed");
    await put("prefixed/part-1.parquet", people([1], ["a"]));
    await put("prefixed/part-2.parquet", people([2, 3], ["b", "c"]));
    await copy(table, `s3://${bucket}/${prefix}/prefixed/part-`, "");
    expect(await count(table)).toBe(3);
  });

  it("refuses MAXERROR with Parquet and aborts the transaction", async () => {
    const table = await freshTable("maxerror");
    const entry = await fileEntry("maxerror/a.parquet", people([1], ["a"]));
    const manifest = await manifestFor("maxerror", [entry]);
    await client.query("BEGIN");
    try {
      await expect(copy(table, manifest, "MANIFEST MAXERROR 10")).rejects.toThrow(
        "MAXERROR argument is not supported for PARQUET based COPY",
      );
      await expect(client.query("SELECT 1")).rejects.toMatchObject({ code: "25P02" });
    } finally {
      await client.query("ROLLBACK");
    }
    for (const option of [
      "GZIP",
      "DATEFORMAT 'auto'",
      "TRUNCATECOLUMNS",
      "ACCEPTANYDATE",
      "REGION 'us-east-1'",
    ]) {
      await expect(copy(table, manifest, `MANIFEST ${option}`)).rejects.toThrow(/not supported for PARQUET/);
    }
    await copy(table, manifest, "MANIFEST ACCEPTINVCHARS AS '?' STATUPDATE OFF EXPLICIT_IDS");
    expect(await count(table)).toBe(1);
  });

  it("fails a manifest entry without meta.content_length", async () => {
    const table = await freshTable("nolength");
    const url = await put("nolength/a.parquet", people([1], ["a"]));
    const manifest = await manifestFor("nolength", [{ url, mandatory: true }]);
    await expect(copy(table, manifest)).rejects.toThrow(/content_length/);
  });

  it("fails a missing mandatory file and skips a missing optional one", async () => {
    const table = await freshTable("missing");
    const present = await fileEntry("missing/a.parquet", people([1], ["a"]));
    const absent = { url: `s3://${bucket}/${prefix}/missing/none.parquet`, meta: { content_length: 10 } };
    await expect(
      copy(table, await manifestFor("missing-mandatory", [present, { ...absent, mandatory: true }])),
    ).rejects.toThrow(/mandatory/);
    await copy(table, await manifestFor("missing-optional", [present, { ...absent, mandatory: false }]));
    expect(await count(table)).toBe(1);
  });

  it("fails when the file's column count differs from the table's (FILLRECORD allows fewer)", async () => {
    const table = await freshTable("columns", "id INTEGER NOT NULL, name VARCHAR(8), extra INTEGER");
    const entry = await fileEntry("columns/a.parquet", people([1], ["a"]));
    const manifest = await manifestFor("columns", [entry]);
    await expect(copy(table, manifest)).rejects.toMatchObject({
      message: "Spectrum Scan Error",
      detail: expect.stringMatching(/has 2 columns .* has 3/),
    });
    await copy(table, manifest, "MANIFEST FILLRECORD");
    expect((await client.query(`SELECT id, name, extra FROM ${table}`)).rows).toEqual([
      { id: 1, name: "a", extra: null },
    ]);
    const narrow = await freshTable("narrow", "id INTEGER");
    await expect(copy(narrow, manifest, "MANIFEST FILLRECORD")).rejects.toThrow("Spectrum Scan Error");
  });

  it("maps by position, not by name, and refuses incompatible Parquet types", async () => {
    const swapped = await freshTable("swapped", "label VARCHAR(8), number INTEGER");
    const wrong = await fileEntry("swapped/a.parquet", people([7], ["x"]));
    await expect(copy(swapped, await manifestFor("swapped", [wrong]))).rejects.toMatchObject({
      detail: expect.stringMatching(/incompatible Parquet schema .* Column type: VARCHAR\(8\)/s),
    });
    const decimalInto = await freshTable("decimal_into_bigint", "id BIGINT");
    const decimals = parquet([{ name: "id", data: [1n, 2n], type: "INT64" }]);
    // A plain INT64 loads into BIGINT by position whatever the column is called.
    await copy(
      decimalInto,
      await manifestFor("decimal-ok", [await fileEntry("decimal/ok.parquet", decimals)]),
    );
    expect(await count(decimalInto)).toBe(2);
  });

  it("fails a value longer than its VARCHAR in bytes (Redshift counts bytes)", async () => {
    const table = await freshTable("bytes");
    const entry = await fileEntry("bytes/a.parquet", people([1], ["ééééé"]));
    await expect(copy(table, await manifestFor("bytes", [entry]))).rejects.toMatchObject({
      message: expect.stringContaining("Load into table"),
      detail: expect.stringContaining("String length exceeds DDL length"),
    });
    expect(await count(table)).toBe(0);
  });

  it("rolls the COPY back with the client's transaction", async () => {
    const table = await freshTable("rollback");
    const entry = await fileEntry("rollback/a.parquet", people([1, 2], ["a", "b"]));
    await client.query("BEGIN");
    await copy(table, await manifestFor("rollback", [entry]));
    expect(await count(table)).toBe(2);
    await client.query("ROLLBACK");
    expect(await count(table)).toBe(0);
  });

  it("refuses COPY FROM STDIN like Redshift", async () => {
    const table = await freshTable("stdin");
    await expect(client.query(`COPY ${table} FROM STDIN`)).rejects.toThrow(/LOAD source is not supported/);
  });

  it("loads SUPER with SERIALIZETOJSON: JSON-annotated text parsed, plain strings as strings", async () => {
    const table = await freshTable("super", "id INTEGER, doc SUPER");
    const file = parquet([
      { name: "id", data: Int32Array.from([1, 2]), type: "INT32", nullable: false },
      { name: "doc", data: [{ a: [1, 2] }, null], type: "JSON" },
    ]);
    const manifest = await manifestFor("super", [await fileEntry("super/a.parquet", file)]);
    await expect(copy(table, manifest)).rejects.toThrow("Spectrum Scan Error");
    await copy(table, manifest, "MANIFEST SERIALIZETOJSON");
    const strings = parquet([
      { name: "id", data: Int32Array.from([3]), type: "INT32", nullable: false },
      { name: "doc", data: ['{"a":1}'], type: "STRING" },
    ]);
    await copy(
      table,
      await manifestFor("super-strings", [await fileEntry("super/b.parquet", strings)]),
      "MANIFEST SERIALIZETOJSON",
    );
    const rows = await client.query(
      `SELECT id, doc::text AS doc, jsonb_typeof(doc) AS kind FROM ${table} ORDER BY id`,
    );
    expect(rows.rows).toEqual([
      { id: 1, doc: '{"a": [1, 2]}', kind: "object" },
      { id: 2, doc: null, kind: null },
      { id: 3, doc: '"{\\"a\\":1}"', kind: "string" },
    ]);
  });
});
