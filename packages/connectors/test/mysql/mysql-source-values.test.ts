import type { ExtractPlan, SourceValue } from "@sluice/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openMysqlSource } from "../../src/index.js";
import { adminConnection, clientRows, uniqueTableName } from "./mariadb-test-database.js";

const mysql = inject("sluiceServices").mysql;
const table = uniqueTableName("values_wide");

const textColumns = [
  "id",
  "big",
  "ubig",
  "price",
  "born",
  "happened",
  "stamped",
  "duration",
  "vintage",
  "name",
  "status",
  "tags",
  "doc",
  "updated_at",
];
const binaryColumns = ["raw", "place"];

beforeAll(async () => {
  const admin = await adminConnection(mysql);
  await admin.query(`SET time_zone = '+00:00'`);
  await admin.query(`CREATE TABLE ${table} (
      id INT NOT NULL PRIMARY KEY,
      big BIGINT NULL, ubig BIGINT UNSIGNED NULL, price DECIMAL(30,10) NULL, score DOUBLE NULL,
      born DATE NULL, happened DATETIME(6) NULL, stamped TIMESTAMP(3) NULL DEFAULT NULL, duration TIME(1) NULL,
      vintage YEAR NULL, name VARCHAR(20) NULL, status ENUM('new','paid') NULL, tags SET('a','b','c') NULL,
      doc JSON NULL, raw VARBINARY(8) NULL, flags BIT(10) NULL, place POINT NULL,
      updated_at DATETIME(6) NOT NULL
    ) DEFAULT CHARSET=utf8mb4`);
  await admin.query(`INSERT INTO ${table} VALUES
      (1, -9223372036854775808, 18446744073709551615, '12345678901234567890.0123456789', 0.1,
       '0000-00-00', '2024-02-29 23:59:59.999999', '2024-06-30 12:00:00.125', '-838:59:59.0',
       2155, 'naïve 😀 ☃', 'paid', 'a,c', '{"k": [1, 2.50, "x"]}', X'00FF10', b'1000000001', POINT(1.5, -2),
       '2024-01-01 00:00:00.000001'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       '2024-01-01 00:00:00.000002')`);
  await admin.end();
});

afterAll(async () => {
  const admin = await adminConnection(mysql);
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.end();
});

describe("MysqlSource value conventions", () => {
  it("hands values over losslessly, as @sluice/core's SourceValue describes", async () => {
    const source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
    const rows: SourceValue[][] = [];
    try {
      const spec = (await source.describeTable({ schema: mysql.database, table }))._unsafeUnwrap();
      const plan: ExtractPlan = {
        table: spec.ref,
        strategy: "hybrid",
        cursorColumn: "updated_at",
        keyColumns: ["id"],
        after: null,
        ceiling: null,
        limit: null,
        pageSize: 10,
      };
      for await (const batch of source.extract(spec, plan)) rows.push(...(batch.rows as SourceValue[][]));
      const names = spec.columns.map((column) => column.name);
      const value = (row: number, name: string) => rows[row]?.[names.indexOf(name)];

      // The mariadb client in a UTC session prints the same text the driver must hand over.
      const texts = await clientRows(
        mysql,
        `SET time_zone = '+00:00'; SELECT ${textColumns.join(", ")} FROM ${table} ORDER BY id`,
      );
      for (const [row, printed] of texts.entries()) {
        textColumns.forEach((name, index) => {
          const got = value(row, name);
          expect(got === null ? "NULL" : String(got), `${name} of row ${row}`).toBe(printed[index]);
          if (got !== null && name !== "id" && name !== "vintage") expect(typeof got, name).toBe("string");
        });
      }
      const hex = await clientRows(
        mysql,
        `SELECT HEX(raw), HEX(ST_AsBinary(place)), flags + 0 FROM ${table} ORDER BY id`,
      );
      binaryColumns.forEach((name, index) => {
        const got = value(0, name);
        expect(got, name).toBeInstanceOf(Uint8Array);
        expect(
          Buffer.from(got as Uint8Array)
            .toString("hex")
            .toUpperCase(),
          name,
        ).toBe(hex[0]?.[index]);
        expect(value(1, name), name).toBeNull();
      });
      // BIT(n): big-endian bytes whose value is what `flags + 0` prints.
      const flags = value(0, "flags");
      expect(flags).toBeInstanceOf(Uint8Array);
      expect(BigInt(`0x${Buffer.from(flags as Uint8Array).toString("hex")}`).toString()).toBe(hex[0]?.[2]);
      // The server's digits, parsed later by Number() (mysql2's parser is inexact for some, ADR 0029).
      expect(value(0, "score")).toBe("0.1");
      expect(value(0, "big")).toBe("-9223372036854775808");
      expect(value(0, "ubig")).toBe("18446744073709551615");
    } finally {
      await source.close();
    }
    expect(rows).toHaveLength(2);
  });
});
