import { type ColumnSpec, compilePostgres, isSluiceError, type LogicalType } from "@sluice/core";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import {
  type CatalogColumn,
  catalogColumnsSql,
  dialectOf,
  type EvolutionPlan,
  explicitIdentifier,
  mapColumnNames,
  parseWarehouseType,
  planSchemaEvolution,
  postgresDialect,
  redshiftDialect,
  renderCreateTable,
  renderEvolutionStatements,
  renderMergeStatements,
  renderStagingTable,
  renderWarehouseType,
  resolveDdlOptions,
  runColumnsOf,
  targetIdentifier,
  type WarehouseSqlDialect,
  warehouseCanonicalText,
  warehouseColumnType,
  warehouseKeySql,
  warehouseKeyText,
} from "../src/index.js";

// Expected SQL below is what the loader sent before the dialect object existed: taken
// from the golden texts of redshift-sql, redshift-schema-contract and warehouse-key-sql
// tests and from statements recorded from the package built before the change (the
// lock, ledger-time and staging-drop statements had no unit test of their own).

const target = { schema: "shop", name: "orders" };
const staging = { schema: null, name: "sluice_stage_1" };
const column = (name: string, sourceType: string, logical: LogicalType, nullable = true): ColumnSpec => ({
  name,
  sourceType,
  logical,
  nullable,
});
const id = column("id", "bigint", { kind: "integer", bits: 64, unsigned: false }, false);
const email = column("E-Mail", "varchar(80)", { kind: "string", maxBytes: 320 });
const updatedAt = column("updated_at", "timestamp", { kind: "timestamp", fsp: 0 }, false);
const blob = column("blob", "binary(16)", { kind: "binary", maxBytes: 16 });
const doc = column("doc", "json", { kind: "json" });

function runColumns(dialect: WarehouseSqlDialect, columns: readonly ColumnSpec[]) {
  const names = mapColumnNames("shop.orders", columns, dialect)._unsafeUnwrap();
  const manifest = { columns, columnStats: { doc: { nulls: 0, maxBytes: 2000 } } };
  return runColumnsOf(dialect, target, manifest as never, names);
}

const catalog = (name: string, position: number, typeText: string, nullable = true): CatalogColumn => ({
  name,
  position,
  typeText,
  type: parseWarehouseType(typeText),
  nullable,
});

describe("dialectOf", () => {
  it("looks the built-in dialects up by the connection's name and passes an object through", () => {
    expect(dialectOf("postgres")).toBe(postgresDialect);
    expect(dialectOf("redshift")).toBe(redshiftDialect);
    const custom = { ...postgresDialect, displayName: "Custom" };
    expect(dialectOf(custom)).toBe(custom);
  });

  it("refuses an unknown name with a config error naming the known ones", () => {
    let thrown: unknown;
    try {
      dialectOf("snowflake" as never);
    } catch (error) {
      thrown = error;
    }
    expect(isSluiceError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ kind: "config" });
    expect((thrown as Error).message).toContain('"snowflake" is not known; use one of postgres, redshift');
  });
});

describe("each dialect renders the statements the loader sent before", () => {
  it("postgres: staging carries the run position and drops at commit; the merge orders by it", () => {
    expect(renderStagingTable(postgresDialect, staging, runColumns(postgresDialect, [id, email]))).toBe(
      `CREATE TEMP TABLE "sluice_stage_1" (
  "id" bigint,
  "e_mail" text,
  "_sluice_seq" BIGINT NOT NULL
) ON COMMIT DROP`,
    );
    expect(renderMergeStatements(postgresDialect, target, staging, [id], ["id"], "updated_at")[1]).toContain(
      `ROW_NUMBER() OVER (PARTITION BY "id" ORDER BY "updated_at" DESC NULLS LAST, "_sluice_seq" DESC) AS "_sluice_rank"`,
    );
  });

  it("redshift: staging is the run's columns only (positional Parquet COPY), JSON staged as VARCHAR", () => {
    expect(renderStagingTable(redshiftDialect, staging, runColumns(redshiftDialect, [id, email, doc]))).toBe(
      `CREATE TEMP TABLE "sluice_stage_1" (
  "id" BIGINT,
  "e_mail" VARCHAR(320),
  "doc" VARCHAR(2000)
)`,
    );
    const merge = renderMergeStatements(
      redshiftDialect,
      target,
      staging,
      [{ name: "id" }, { name: "doc", parseJson: true }],
      ["id"],
      "updated_at",
    );
    expect(merge[1]).toContain(`SELECT "id", JSON_PARSE("doc")`);
    expect(merge[1]).toContain(
      `ROW_NUMBER() OVER (PARTITION BY "id" ORDER BY "updated_at" DESC NULLS LAST) AS "_sluice_rank"`,
    );
  });

  it("CREATE TABLE: Redshift's physical design, none on PostgreSQL", () => {
    const columns = [id, updatedAt, email];
    const options = { sortKey: "updated_at" };
    expect(renderCreateTable(redshiftDialect, target, columns, ["id"], options)).toBe(
      `CREATE TABLE IF NOT EXISTS "shop"."orders" (
  "id" BIGINT NOT NULL,
  "updated_at" TIMESTAMPTZ,
  "E-Mail" VARCHAR(320),
  PRIMARY KEY ("id")
)
DISTSTYLE AUTO
SORTKEY ("updated_at")`,
    );
    const names = mapColumnNames("shop.orders", [id, updatedAt, email], postgresDialect)._unsafeUnwrap();
    const ddl = resolveDdlOptions(
      "shop.orders",
      { distStyle: "even", columnEncodings: { e_mail: "zstd" } },
      names,
      "updated_at",
      new Map(),
    )._unsafeUnwrap();
    const renamed = [id, updatedAt, { ...email, name: "e_mail" }];
    expect(renderCreateTable(postgresDialect, target, renamed, ["id"], { ddl })).toBe(
      `CREATE TABLE IF NOT EXISTS "shop"."orders" (
  "id" bigint NOT NULL,
  "updated_at" timestamptz(6),
  "e_mail" text,
  PRIMARY KEY ("id")
)`,
    );
    expect(renderCreateTable(redshiftDialect, target, renamed, ["id"], { ddl })).toBe(
      `CREATE TABLE IF NOT EXISTS "shop"."orders" (
  "id" BIGINT NOT NULL,
  "updated_at" TIMESTAMPTZ,
  "e_mail" VARCHAR(320) ENCODE ZSTD,
  PRIMARY KEY ("id")
)
DISTSTYLE EVEN
SORTKEY ("updated_at")`,
    );
  });

  it("locks, ledger time and the catalog view", () => {
    expect(postgresDialect.ddlLock).toBe("SELECT pg_advisory_xact_lock(hashtext('sluice ddl'))");
    expect(redshiftDialect.ddlLock).toBeNull();
    expect(postgresDialect.targetLock(target)).toEqual({
      sql: "SELECT pg_advisory_xact_lock(hashtext($1))",
      values: ["sluice load shop.orders"],
      needsTable: false,
    });
    expect(redshiftDialect.targetLock(target)).toEqual({
      sql: `LOCK "shop"."orders"`,
      values: [],
      needsTable: true,
    });
    expect(postgresDialect.now).toBe("now()");
    expect(redshiftDialect.now).toBe("GETDATE()");
    expect(catalogColumnsSql(postgresDialect)).toContain("\nFROM information_schema.columns\n");
    expect(catalogColumnsSql(redshiftDialect)).toContain("\nFROM svv_columns\n");
  });

  it("binary keys and checksums: hex text and back, lower-cased where the case is not documented", () => {
    const key = { source: blob, target: "blob" };
    const compiled = (fragment: ReturnType<typeof warehouseKeyText> | null) =>
      compilePostgres(sql`SELECT ${fragment}`).sql;
    expect(compiled(warehouseKeyText(key, postgresDialect))).toBe(`SELECT ENCODE("blob", 'hex')`);
    expect(compiled(warehouseKeyText(key, redshiftDialect))).toBe(`SELECT FROM_VARBYTE("blob", 'hex')`);
    expect(compiled(warehouseCanonicalText(key, postgresDialect))).toBe(`SELECT ENCODE("blob", 'hex')`);
    expect(compiled(warehouseCanonicalText(key, redshiftDialect))).toBe(
      `SELECT LOWER(FROM_VARBYTE("blob", 'hex'))`,
    );
    expect(warehouseKeySql(postgresDialect, target, [key], false).existing([["00ff"]]).sql).toBe(
      `SELECT ENCODE("blob", 'hex') AS k0 FROM "shop"."orders" WHERE ("blob" = DECODE($1, 'hex'))`,
    );
    expect(warehouseKeySql(redshiftDialect, target, [key], false).existing([["00ff"]]).sql).toBe(
      `SELECT FROM_VARBYTE("blob", 'hex') AS k0 FROM "shop"."orders" WHERE ("blob" = TO_VARBYTE($1, 'hex'))`,
    );
  });

  it("key digests: MD5 prefix through bit(60) on PostgreSQL, STRTOL on Redshift", () => {
    const keys = [{ source: email, target: "e_mail" }];
    expect(
      warehouseKeySql(postgresDialect, target, keys, false).digest([{ after: null, through: null }]).sql,
    ).toBe(
      `SELECT r, COUNT(*) AS n, CAST(COALESCE(SUM(h), 0) AS VARCHAR) AS s FROM (SELECT 0 AS r, CAST(CAST(CAST('x' || SUBSTRING(MD5("e_mail"), 1, 15) AS BIT(60)) AS BIGINT) AS NUMERIC) AS h FROM "shop"."orders") AS keyed GROUP BY r`,
    );
    expect(
      warehouseKeySql(redshiftDialect, target, keys, false).digest([{ after: null, through: null }]).sql,
    ).toBe(
      `SELECT r, COUNT(*) AS n, CAST(COALESCE(SUM(h), 0) AS VARCHAR) AS s FROM (SELECT 0 AS r, CAST(STRTOL(SUBSTRING(MD5("e_mail"), 1, 15), 16) AS DECIMAL(38,0)) AS h FROM "shop"."orders") AS keyed GROUP BY r`,
    );
  });

  it("text key lookups: plain equality on PostgreSQL, bytes on Redshift", () => {
    const keys = [{ source: email, target: "e_mail" }];
    expect(warehouseKeySql(postgresDialect, target, keys, false).hardDelete([["a@b"]]).sql).toBe(
      `DELETE FROM "shop"."orders" WHERE "e_mail" = $1`,
    );
    expect(warehouseKeySql(redshiftDialect, target, keys, false).hardDelete([["a@b"]]).sql).toBe(
      `DELETE FROM "shop"."orders" WHERE TO_VARBYTE("e_mail", 'utf8') = TO_VARBYTE($1, 'utf8')`,
    );
  });

  it("widening: ALTER inside the transaction on PostgreSQL, a rebuild on Redshift", () => {
    const qty = column("qty", "bigint", { kind: "integer", bits: 64, unsigned: false }, false);
    const existing = [catalog("id", 1, "bigint", false), catalog("qty", 2, "integer", false)];
    const plan = (dialect: WarehouseSqlDialect) =>
      planSchemaEvolution(
        dialect,
        "shop.orders",
        "r7",
        target,
        runColumns(dialect, [id, qty]),
        existing,
      ) as EvolutionPlan;
    expect(renderEvolutionStatements(postgresDialect, target, plan(postgresDialect), ["id"], {})).toEqual([
      `ALTER TABLE "shop"."orders" ALTER COLUMN "qty" TYPE bigint`,
    ]);
    expect(renderEvolutionStatements(redshiftDialect, target, plan(redshiftDialect), ["id"], {})).toEqual([
      `CREATE TABLE "shop"."orders_sluice_rebuild" (
  "id" BIGINT NOT NULL,
  "qty" BIGINT NOT NULL,
  PRIMARY KEY ("id")
)
DISTSTYLE AUTO`,
      `INSERT INTO "shop"."orders_sluice_rebuild" ("id", "qty")\nSELECT "id", "qty"\nFROM "shop"."orders"`,
      `DROP TABLE "shop"."orders"`,
      `ALTER TABLE "shop"."orders_sluice_rebuild" RENAME TO "orders"`,
    ]);
  });

  it("types, identifiers and limits in each warehouse's words", () => {
    const created = parseWarehouseType("timestamp(3) without time zone");
    expect(postgresDialect.renderType(created)).toBe("timestamp(3)");
    expect(redshiftDialect.renderType(created)).toBe("TIMESTAMP");
    expect(postgresDialect.renderType(parseWarehouseType("numeric(12,2)"))).toBe("numeric(12,2)");
    expect(redshiftDialect.renderType(parseWarehouseType("numeric(12,2)"))).toBe("DECIMAL(12,2)");
    expect(explicitIdentifier("t", "bad-name", postgresDialect)._unsafeUnwrapErr().message).toBe(
      't "bad-name" is not a valid PostgreSQL identifier (letters, digits, _ and $, not starting with a digit, at most 63 bytes); use "bad_name"',
    );
    expect(explicitIdentifier("t", "bad-name", redshiftDialect)._unsafeUnwrapErr().message).toBe(
      't "bad-name" is not a valid Redshift identifier (letters, digits, _ and $, not starting with a digit, at most 127 bytes); use "bad_name"',
    );
    expect(targetIdentifier("x".repeat(140), postgresDialect)).toHaveLength(63);
    expect(targetIdentifier("x".repeat(140), redshiftDialect)).toHaveLength(127);
    expect(postgresDialect.maxTextBytes).toBeNull();
    expect(redshiftDialect.maxTextBytes).toBe(65535);
  });
});

describe("a name and its dialect object render the same", () => {
  it.each([postgresDialect, redshiftDialect])("$name", (dialect) => {
    const columns = [id, updatedAt, email, blob, doc];
    for (const spec of columns) {
      expect(warehouseColumnType(dialect.name, spec, "shop.orders")).toBe(
        warehouseColumnType(dialect, spec, "shop.orders"),
      );
    }
    expect(renderCreateTable(dialect.name, target, columns, ["id"])).toBe(
      renderCreateTable(dialect, target, columns, ["id"]),
    );
    const run = runColumns(dialect, columns);
    expect(renderStagingTable(dialect.name, staging, run)).toBe(renderStagingTable(dialect, staging, run));
    expect(renderWarehouseType(run[1]?.type ?? { kind: "text" }, dialect.name)).toBe(
      dialect.renderType(run[1]?.type ?? { kind: "text" }),
    );
  });
});

describe("the object, not its name, decides", () => {
  it("a dialect that COPYs from the lake and has a physical design changes staging, merge and DDL", () => {
    // A third warehouse built from PostgreSQL's members with three changed: the code
    // paths must follow the members even though the name still says "postgres".
    const lakeCopying: WarehouseSqlDialect = {
      ...postgresDialect,
      copyPath: "lake-manifest",
      dropsStagingAtCommit: false,
      physicalDesign: true,
    };
    expect(renderStagingTable(lakeCopying, staging, runColumns(lakeCopying, [id]))).toBe(
      `CREATE TEMP TABLE "sluice_stage_1" (\n  "id" bigint\n)`,
    );
    expect(renderMergeStatements(lakeCopying, target, staging, [id], ["id"], null)[1]).toContain(
      `ROW_NUMBER() OVER (PARTITION BY "id" ORDER BY "id") AS "_sluice_rank"`,
    );
    expect(renderCreateTable(lakeCopying, target, [id], ["id"])).toBe(
      `CREATE TABLE IF NOT EXISTS "shop"."orders" (\n  "id" bigint NOT NULL,\n  PRIMARY KEY ("id")\n)\nDISTSTYLE AUTO`,
    );
  });

  it("a Redshift whose text equality is exact looks keys up by the column itself", () => {
    const exact: WarehouseSqlDialect = { ...redshiftDialect, textEqualityIsExact: true };
    expect(
      warehouseKeySql(exact, target, [{ source: email, target: "e_mail" }], false).hardDelete([["a"]]).sql,
    ).toBe(`DELETE FROM "shop"."orders" WHERE "e_mail" = $1`);
  });
});
