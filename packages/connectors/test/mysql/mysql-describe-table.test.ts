import type { LogicalType } from "@sluice/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openMysqlSource } from "../../src/index.js";
import type { MysqlSource } from "../../src/mysql/mysql-source.js";
import { adminConnection, uniqueTableName } from "./mariadb-test-database.js";

const mysql = inject("sluiceServices").mysql;
const wide = uniqueTableName("describe_wide");
const composite = uniqueTableName("describe_composite");
let source: MysqlSource;

beforeAll(async () => {
  const admin = await adminConnection(mysql);
  await admin.query(`
    CREATE TABLE ${wide} (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
      flag BOOLEAN NOT NULL DEFAULT 0,
      tiny TINYINT NULL,
      small SMALLINT UNSIGNED NULL,
      medium MEDIUMINT NULL,
      regular INT NOT NULL,
      big BIGINT NULL,
      price DECIMAL(18,2) UNSIGNED NULL,
      wide_decimal DECIMAL(65,30) NULL,
      ratio FLOAT NULL,
      score DOUBLE NULL,
      born DATE NULL,
      happened DATETIME NULL,
      happened_micro DATETIME(6) NULL,
      stamped TIMESTAMP(3) NULL DEFAULT NULL,
      duration TIME(2) NULL,
      vintage YEAR NULL,
      name VARCHAR(100) CHARACTER SET utf8mb4 NULL,
      code CHAR(3) CHARACTER SET latin1 NULL,
      legacy VARCHAR(10) CHARACTER SET utf8mb3 NULL,
      body TEXT CHARACTER SET utf8mb4 NULL,
      essay LONGTEXT NULL,
      raw VARBINARY(16) NULL,
      fixed_raw BINARY(4) NULL,
      photo MEDIUMBLOB NULL,
      status ENUM('new','paid','shipped') NULL,
      tags SET('a','b','c') NULL,
      doc JSON NULL,
      flags BIT(5) NULL,
      place POINT NULL,
      updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
      KEY ix_updated (updated_at, id),
      UNIQUE KEY ux_name_code (name, code)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  await admin.query(
    `CREATE TABLE ${composite} (tenant INT NOT NULL, seq INT NOT NULL, note VARCHAR(5), PRIMARY KEY (tenant, seq))`,
  );
  await admin.end();
  source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
});

afterAll(async () => {
  await source?.close();
  const admin = await adminConnection(mysql);
  await admin.query(`DROP TABLE IF EXISTS ${wide}, ${composite}`);
  await admin.end();
});

describe("MysqlSource.describeTable", () => {
  it("maps every MySQL type to its logical type, in ordinal order", async () => {
    const spec = (await source.describeTable({ schema: mysql.database, table: wide }))._unsafeUnwrap();
    const logical: Record<string, LogicalType> = Object.fromEntries(
      spec.columns.map((c) => [c.name, c.logical]),
    );
    expect(logical).toEqual({
      id: { kind: "integer", bits: 64, unsigned: true },
      // BOOLEAN is TINYINT(1) to the server: kept an 8-bit integer (see mysql-logical-type.ts).
      flag: { kind: "integer", bits: 8, unsigned: false },
      tiny: { kind: "integer", bits: 8, unsigned: false },
      small: { kind: "integer", bits: 16, unsigned: true },
      medium: { kind: "integer", bits: 32, unsigned: false },
      regular: { kind: "integer", bits: 32, unsigned: false },
      big: { kind: "integer", bits: 64, unsigned: false },
      price: { kind: "decimal", precision: 18, scale: 2 },
      wide_decimal: { kind: "decimal", precision: 65, scale: 30 },
      ratio: { kind: "float" },
      score: { kind: "double" },
      born: { kind: "date" },
      happened: { kind: "datetime", fsp: 0 },
      happened_micro: { kind: "datetime", fsp: 6 },
      stamped: { kind: "timestamp", fsp: 3 },
      duration: { kind: "time", fsp: 2 },
      vintage: { kind: "year" },
      // Bytes = characters x the charset's maximum bytes per character (4 utf8mb4, 3 utf8mb3, 1 latin1).
      name: { kind: "string", maxBytes: 400 },
      code: { kind: "string", maxBytes: 3 },
      legacy: { kind: "string", maxBytes: 30 },
      body: { kind: "string", maxBytes: 65535 },
      essay: { kind: "string", maxBytes: 4294967295 },
      raw: { kind: "binary", maxBytes: 16 },
      fixed_raw: { kind: "binary", maxBytes: 4 },
      photo: { kind: "binary", maxBytes: 16777215 },
      // Longest member x 4 bytes; "a,b,c" for the SET.
      status: { kind: "string", maxBytes: 28 },
      tags: { kind: "string", maxBytes: 20 },
      doc: { kind: "json" },
      flags: { kind: "bit", width: 5 },
      place: { kind: "binary", maxBytes: null },
      updated_at: { kind: "timestamp", fsp: 6 },
    });
    const byName = Object.fromEntries(spec.columns.map((c) => [c.name, c]));
    expect(byName.price?.sourceType).toBe("decimal(18,2) unsigned");
    expect(byName.regular?.nullable).toBe(false);
    expect(byName.tiny?.nullable).toBe(true);
    expect(byName.updated_at?.onUpdateCurrentTimestamp).toBe(true);
    expect(byName.stamped?.onUpdateCurrentTimestamp).toBeUndefined();
  });

  it("reads the primary key and indexes", async () => {
    const spec = (await source.describeTable({ schema: mysql.database, table: wide }))._unsafeUnwrap();
    expect(spec.primaryKey).toEqual(["id"]);
    const indexes = Object.fromEntries(spec.indexes.map((index) => [index.name, index]));
    expect(indexes.ix_updated).toEqual({ name: "ix_updated", columns: ["updated_at", "id"], unique: false });
    expect(indexes.ux_name_code).toEqual({ name: "ux_name_code", columns: ["name", "code"], unique: true });
    const keyed = (await source.describeTable({ schema: mysql.database, table: composite }))._unsafeUnwrap();
    expect(keyed.primaryKey).toEqual(["tenant", "seq"]);
  });

  it("names an unknown table and lists close matches in its schema", async () => {
    const typo = `${composite.slice(0, -1)}x`;
    const error = (await source.describeTable({ schema: mysql.database, table: typo }))._unsafeUnwrapErr();
    expect(error.kind).toBe("not_found");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`table ${mysql.database}.${typo} does not exist`);
    expect(error.message).toContain(composite);
    const far = (
      await source.describeTable({ schema: mysql.database, table: "zzzz_qqq_nothing" })
    )._unsafeUnwrapErr();
    expect(far.message).toContain("none with a similar name");
  });

  it("names an unknown schema", async () => {
    const error = (
      await source.describeTable({ schema: `${mysql.database}x`, table: wide })
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("not_found");
    expect(error.message).toContain(`schema ${mysql.database}x does not exist`);
    expect(error.message).toContain(`did you mean ${mysql.database}`);
  });
});
