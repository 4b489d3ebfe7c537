import type { AnyRowBatch, ExtractPlan, SourceValue, TableSpec } from "@sluice/core";
import { batchLastRow, batchRows, isPackedBatch } from "@sluice/core";
import { createConnection } from "mysql2";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type MysqlSource, openMysqlSource } from "../../src/index.js";
import { mysqlSessionConfig } from "../../src/mysql/mysql-connection-options.js";
import { type StreamingConnection, streamRowBatches } from "../../src/mysql/row-stream.js";
import { adminConnection, uniqueTableName } from "./mariadb-test-database.js";

const mysql = inject("sluiceServices").mysql;
const table = uniqueTableName("packed_values");

// Every type the MySQL source reads, NULLs, multi-byte text, values whose length takes
// 1, 3 and 4 bytes in the protocol (< 251, < 64 KiB, < 16 MiB), a leading BOM.
beforeAll(async () => {
  const admin = await adminConnection(mysql);
  await admin.query(`CREATE TABLE ${table} (
      id INT NOT NULL PRIMARY KEY, tiny TINYINT NULL, small SMALLINT UNSIGNED NULL, medium MEDIUMINT NULL,
      big BIGINT NULL, ubig BIGINT UNSIGNED NULL, price DECIMAL(30,10) NULL, score DOUBLE NULL, ratio FLOAT NULL,
      born DATE NULL, happened DATETIME(6) NULL, stamped TIMESTAMP(3) NULL DEFAULT NULL, duration TIME(1) NULL,
      vintage YEAR NULL, zero INT(5) ZEROFILL NULL, name VARCHAR(300) NULL, latin VARCHAR(20) CHARACTER SET latin1 NULL,
      status ENUM('new','paid') NULL, tags SET('a','b','c') NULL, doc JSON NULL, raw VARBINARY(8) NULL,
      flags BIT(10) NULL, place POINT NULL, body MEDIUMTEXT NULL, blob_value MEDIUMBLOB NULL,
      updated_at DATETIME(6) NOT NULL
    ) DEFAULT CHARSET=utf8mb4`);
  await admin.query(`INSERT INTO ${table} VALUES
      (1, -128, 65535, -8388608, -9223372036854775808, 18446744073709551615, '12345678901234567890.0123456789',
       99999999.99999999, 0.1, '0000-00-00', '2024-02-29 23:59:59.999999', '2024-06-30 12:00:00.125',
       '-838:59:59.0', 2155, 42, CONCAT(X'EFBBBF', 'naïve 😀 ☃'), 'Zürich', 'paid', 'a,c',
       '{"k": [1, 2.50, "x"]}', X'00FF10', b'1000000001', POINT(1.5, -2), REPEAT('é', 300), REPEAT(X'00FB', 40000),
       '2024-01-01 00:00:00.000001'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, '2024-01-01 00:00:00.000002'),
      (3, 0, 0, 0, 0, 0, '-0.5', -1.5e-300, -3.4e38, '2024-01-01', '1000-01-01 00:00:00', '1970-01-01 00:00:01',
       '00:00:00.5', 1901, 0, REPEAT('x', 300), '', 'new', '', '[]', X'', b'0', POINT(0, 0), '', X'',
       '2024-01-01 00:00:00.000003')`);
  // Rows enough for several batches of each kind.
  await admin.query(`INSERT INTO ${table} (id, name, body, updated_at)
      SELECT 10 + seq, CONCAT('row ', seq), REPEAT('ab', seq % 200), '2024-01-02' FROM seq_1_to_500`);
  await admin.end();
});

afterAll(async () => {
  const admin = await adminConnection(mysql);
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.end();
});

async function collect(batches: AsyncIterable<AnyRowBatch>) {
  const rows: (readonly SourceValue[])[] = [];
  let batchCount = 0;
  let packed = 0;
  for await (const batch of batches) {
    batchCount++;
    if (isPackedBatch(batch)) packed++;
    const decoded = batchRows(batch);
    // The last row decoded up front (page ends and positions are taken from it) is the batch's last.
    expect(batchLastRow(batch)).toEqual(decoded[decoded.length - 1]);
    rows.push(...decoded);
  }
  return { rows, batchCount, packed };
}

describe("packed rows (Source.extractPacked)", () => {
  let source: MysqlSource;
  let spec: TableSpec;
  const plan = (): ExtractPlan => ({
    table: spec.ref,
    strategy: "hybrid",
    cursorColumn: "updated_at",
    keyColumns: ["id"],
    after: null,
    ceiling: null,
    limit: null,
    pageSize: 200,
  });
  beforeAll(async () => {
    source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
    spec = (await source.describeTable({ schema: mysql.database, table }))._unsafeUnwrap();
  });
  afterAll(() => source.close());

  it("decode to exactly the values mysql2 hands over, for every type", async () => {
    const options = { batchRows: 64, batchBytes: 16 * 1024 };
    const parsed = await collect(source.extract(spec, plan(), options));
    const packed = await collect(source.extractPacked(spec, plan(), options));
    expect(parsed.packed).toBe(0);
    // Every batch came packed (the row-packet hook is in place), several of them (a
    // batch is cut by its payload bytes, so not where the parsed ones are cut).
    expect(packed.packed).toBe(packed.batchCount);
    expect(packed.batchCount).toBeGreaterThan(5);
    expect(packed.rows).toHaveLength(503);
    expect(packed.rows).toEqual(parsed.rows);
    const first = packed.rows[0] as readonly SourceValue[];
    const at = (name: string) => first[spec.columns.findIndex((column) => column.name === name)];
    expect(at("name")).toBe("\uFEFFnaïve 😀 ☃");
    expect(at("latin")).toBe("Zürich");
    expect(at("zero")).toBe(42);
    expect(at("score")).toBe("99999999.99999999");
    expect((at("blob_value") as Uint8Array).byteLength).toBe(80_000);
  });

  it("reads a result it cannot decode from bytes (a FLOAT, as mysql2 parses it) through mysql2", async () => {
    const connection = createConnection(mysqlSessionConfig({ ...mysql }));
    try {
      const batches = streamRowBatches(
        connection as unknown as StreamingConnection,
        `SELECT id, ratio FROM ${table} WHERE id = 1`,
        [],
        10,
        Number.POSITIVE_INFINITY,
        true,
      );
      const { rows, packed } = await collect(batches);
      expect(packed).toBe(0);
      expect(rows).toEqual([[1, expect.closeTo(0.1, 6)]]);
      // The same connection goes on to a packed statement.
      const next = await collect(
        streamRowBatches(
          connection as unknown as StreamingConnection,
          `SELECT id, name, price FROM ${table} WHERE id IN (2, 11) ORDER BY id`,
          [],
          10,
          Number.POSITIVE_INFINITY,
          true,
        ),
      );
      expect(next.packed).toBe(1);
      expect(next.rows).toEqual([
        [2, null, null],
        [11, "row 1", null],
      ]);
    } finally {
      connection.destroy();
    }
  });

  it("leaves the connection usable when the consumer stops early", async () => {
    const connection = createConnection(mysqlSessionConfig({ ...mysql }));
    try {
      const stream = (sql: string) =>
        streamRowBatches(
          connection as unknown as StreamingConnection,
          sql,
          [],
          8,
          Number.POSITIVE_INFINITY,
          true,
        );
      for await (const batch of stream(`SELECT id, body FROM ${table} ORDER BY id`)) {
        expect(isPackedBatch(batch)).toBe(true);
        break;
      }
      const { rows } = await collect(stream(`SELECT COUNT(*) FROM ${table}`));
      expect(rows).toEqual([["503"]]);
    } finally {
      connection.destroy();
    }
  });
});

describe("packed rows: a row packet that cannot be taken", () => {
  it("fails the statement for the consumer, not inside mysql2's packet handling", async () => {
    // No server sends digits-only types with other bytes; a stand-in query object
    // drives the hook the way mysql2's Query command does.
    const listeners = new Map<string, (...args: unknown[]) => void>();
    const parsed: unknown[] = [];
    const query = {
      row(packet: unknown) {
        parsed.push(packet);
        return undefined;
      },
      on(event: string, listener: (...args: unknown[]) => void) {
        listeners.set(event, listener);
        return query;
      },
    };
    const connection = {
      query: () => query,
      pause() {},
      resume() {},
      on() {
        return connection;
      },
      removeListener() {
        return connection;
      },
    };
    const batches = streamRowBatches(
      connection as unknown as StreamingConnection,
      "SELECT id",
      [],
      1,
      Number.POSITIVE_INFINITY,
      true,
    );
    const first = batches.next();
    listeners.get("fields")?.([{ columnType: 3, characterSet: 63 }]);
    const packet = (payload: number[]) => {
      const buffer = Buffer.from([0, 0, 0, 0, ...payload]);
      return { buffer, offset: 4, end: buffer.length, isEOF: () => false };
    };
    // A LONG column holding "x": its row cannot be decoded.
    const taken = (query.row as (packet: unknown) => unknown)(packet([1, 0x78]));
    expect(typeof taken).toBe("function");
    listeners.get("end")?.();
    await expect(first).rejects.toThrow(/"x", which is not an integer/);
    // The hook handed no row packet to mysql2's own parser.
    expect(parsed).toHaveLength(0);
  });
});
