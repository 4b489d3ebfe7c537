import type { ColumnSpec } from "@sluice/core";
import { describe, expect, it } from "vitest";
import { warehouseKeySql } from "../src/index.js";

const region: ColumnSpec = {
  name: "Region",
  sourceType: "varchar(8)",
  logical: { kind: "string", maxBytes: 32 },
  nullable: false,
};
const seq: ColumnSpec = {
  name: "seq",
  sourceType: "bigint unsigned",
  logical: { kind: "integer", bits: 64, unsigned: true },
  nullable: false,
};
const bin: ColumnSpec = {
  name: "bin",
  sourceType: "binary(16)",
  logical: { kind: "binary", maxBytes: 16 },
  nullable: false,
};
const at: ColumnSpec = {
  name: "at",
  sourceType: "datetime(6)",
  logical: { kind: "datetime", fsp: 6 },
  nullable: false,
};
const keys = [
  { source: region, target: "region" },
  { source: seq, target: "seq" },
];
const target = { schema: "shop", name: "orders" };

/**
 * Golden text of the Redshift statements: the gateway runs them against PostgreSQL
 * (reconcile-redshift-gateway.test.ts), but only a live cluster proves Redshift takes
 * them, so their exact shape is pinned here and reviewed against the AWS docs
 * (STRTOL -> BIGINT, DECIMAL(38,0) sums, TO_VARBYTE/FROM_VARBYTE, VARBYTE comparisons).
 */
describe("warehouse key SQL, Redshift dialect (golden)", () => {
  const sql = warehouseKeySql("redshift", target, keys, true);

  it("digests intervals with STRTOL of an MD5 prefix, text keys ordered as UTF-8 bytes", () => {
    const statement = sql.digest([
      { after: null, through: ["eu", "10"] },
      { after: ["eu", "10"], through: null },
    ]);
    expect(statement.sql).toBe(
      `SELECT r, COUNT(*) AS n, CAST(COALESCE(SUM(h), 0) AS VARCHAR) AS s FROM (SELECT CASE WHEN (TO_VARBYTE("region", 'utf8') < TO_VARBYTE($1, 'utf8') OR (TO_VARBYTE("region", 'utf8') = TO_VARBYTE($2, 'utf8') AND "seq" <= CAST($3 AS DECIMAL(20,0)))) THEN 0 WHEN (TO_VARBYTE("region", 'utf8') > TO_VARBYTE($4, 'utf8') OR (TO_VARBYTE("region", 'utf8') = TO_VARBYTE($5, 'utf8') AND "seq" > CAST($6 AS DECIMAL(20,0)))) THEN 1 END AS r, CAST(STRTOL(SUBSTRING(MD5("region" || CHR(31) || CAST("seq" AS VARCHAR)), 1, 15), 16) AS DECIMAL(38,0)) AS h FROM "shop"."orders" WHERE (((TO_VARBYTE("region", 'utf8') < TO_VARBYTE($7, 'utf8') OR (TO_VARBYTE("region", 'utf8') = TO_VARBYTE($8, 'utf8') AND "seq" <= CAST($9 AS DECIMAL(20,0))))) OR ((TO_VARBYTE("region", 'utf8') > TO_VARBYTE($10, 'utf8') OR (TO_VARBYTE("region", 'utf8') = TO_VARBYTE($11, 'utf8') AND "seq" > CAST($12 AS DECIMAL(20,0)))))) AND "_sluice_deleted_at" IS NULL) AS keyed GROUP BY r`,
    );
    expect(statement.values).toEqual([
      "eu",
      "eu",
      "10",
      "eu",
      "eu",
      "10",
      "eu",
      "eu",
      "10",
      "eu",
      "eu",
      "10",
    ]);
  });

  it("lists keys per interval with ROW_NUMBER, and deletes or flags exact keys", () => {
    expect(sql.keys([{ after: ["eu", "10"], through: ["eu", "20"] }], 512).sql).toBe(
      `SELECT r, k0, k1 FROM ( SELECT r, k0, k1, ROW_NUMBER() OVER (PARTITION BY r ORDER BY o0, o1) AS rn FROM (SELECT 0 AS r, "region" AS k0, CAST("seq" AS VARCHAR) AS k1, TO_VARBYTE("region", 'utf8') AS o0, "seq" AS o1 FROM "shop"."orders" WHERE (((TO_VARBYTE("region", 'utf8') > TO_VARBYTE($1, 'utf8') OR (TO_VARBYTE("region", 'utf8') = TO_VARBYTE($2, 'utf8') AND "seq" > CAST($3 AS DECIMAL(20,0)))) AND (TO_VARBYTE("region", 'utf8') < TO_VARBYTE($4, 'utf8') OR (TO_VARBYTE("region", 'utf8') = TO_VARBYTE($5, 'utf8') AND "seq" <= CAST($6 AS DECIMAL(20,0)))))) AND "_sluice_deleted_at" IS NULL) AS keyed ) AS numbered WHERE rn <= 513 ORDER BY r, rn`,
    );
    const soft = sql.softDelete([["eu", "7"]], "2026-01-01 00:00:00.000000");
    expect(soft.sql).toBe(
      `UPDATE "shop"."orders" SET "_sluice_deleted_at" = CAST($1 AS TIMESTAMP) WHERE "_sluice_deleted_at" IS NULL AND ((TO_VARBYTE("region", 'utf8') = TO_VARBYTE($2, 'utf8') AND "seq" = CAST($3 AS DECIMAL(20,0))))`,
    );
    expect(soft.values).toEqual(["2026-01-01 00:00:00.000000", "eu", "7"]);
    expect(
      warehouseKeySql("redshift", target, keys, false).hardDelete([
        ["eu", "7"],
        ["US", "8"],
      ]).sql,
    ).toBe(
      `DELETE FROM "shop"."orders" WHERE (TO_VARBYTE("region", 'utf8') = TO_VARBYTE($1, 'utf8') AND "seq" = CAST($2 AS DECIMAL(20,0))) OR (TO_VARBYTE("region", 'utf8') = TO_VARBYTE($3, 'utf8') AND "seq" = CAST($4 AS DECIMAL(20,0)))`,
    );
  });

  it("binary and time keys: hex through FROM_VARBYTE / TO_VARBYTE, times as TO_CHAR with microseconds", () => {
    const statement = warehouseKeySql(
      "redshift",
      target,
      [
        { source: bin, target: "bin" },
        { source: at, target: "at" },
      ],
      false,
    ).existing([["00ff", "2025-01-01 00:00:00.000001"]]);
    expect(statement.sql).toBe(
      `SELECT FROM_VARBYTE("bin", 'hex') AS k0, TO_CHAR("at", 'YYYY-MM-DD HH24:MI:SS.US') AS k1 FROM "shop"."orders" WHERE (("bin" = TO_VARBYTE($1, 'hex') AND "at" = CAST($2 AS TIMESTAMP)))`,
    );
  });
});

describe("warehouse key SQL, PostgreSQL dialect", () => {
  it('orders text with COLLATE "C" and hashes through bit(60); point lookups use plain equality', () => {
    const sql = warehouseKeySql("postgres", target, keys, false);
    expect(sql.digest([{ after: null, through: null }]).sql).toBe(
      `SELECT r, COUNT(*) AS n, CAST(COALESCE(SUM(h), 0) AS VARCHAR) AS s FROM (SELECT 0 AS r, CAST(CAST(CAST('x' || SUBSTRING(MD5("region" || CHR(31) || CAST("seq" AS VARCHAR)), 1, 15) AS BIT(60)) AS BIGINT) AS NUMERIC) AS h FROM "shop"."orders") AS keyed GROUP BY r`,
    );
    expect(sql.existing([["eu", "7"]]).sql).toBe(
      `SELECT "region" AS k0, CAST("seq" AS VARCHAR) AS k1 FROM "shop"."orders" WHERE (("region" = $1 AND "seq" = CAST($2 AS numeric(20,0))))`,
    );
  });
});
