import type { ColumnSpec, RunManifest } from "@sluice/core";
import { describe, expect, it } from "vitest";
import {
  type CatalogColumn,
  catalogColumnsSql,
  checkParquetContract,
  type EvolutionPlan,
  mapColumnNames,
  parquetMismatch,
  parseWarehouseType,
  planSchemaEvolution,
  type RunColumn,
  renderCreateTable,
  renderEvolutionStatements,
  renderRedshiftVarcharAlters,
  renderStagingTable,
  resolveDdlOptions,
  runColumnsOf,
  typeHolds,
  widenedType,
} from "../src/index.js";
import { everyTypeColumns } from "./orders-columns.js";

// Expected SQL is written by hand from the AWS Redshift docs (CREATE TABLE table
// attributes, ALTER TABLE: "ALTER COLUMN ... TYPE" only for VARCHAR and never in a
// transaction block, one ADD COLUMN per statement; compression encodings per type).

const target = { schema: "shop", name: "orders" };
const staging = { schema: null, name: "sluice_stage_1" };

function manifestOf(
  columns: readonly ColumnSpec[],
  stats: RunManifest["columnStats"] = undefined,
): RunManifest {
  return {
    version: 1,
    table: "shop.orders",
    runId: "r7",
    createdAt: "2026-01-01T00:00:00Z",
    strategy: "hybrid",
    columns,
    primaryKey: ["id"],
    cursorColumn: "updated_at",
    files: [],
    rows: 0,
    ...(stats ? { columnStats: stats } : {}),
  };
}

function runColumns(
  dialect: "redshift" | "postgres",
  columns: readonly ColumnSpec[],
  stats?: RunManifest["columnStats"],
) {
  const names = mapColumnNames("shop.orders", columns, dialect)._unsafeUnwrap();
  return runColumnsOf(dialect, target, manifestOf(columns, stats), names);
}

const catalog = (name: string, position: number, typeText: string, nullable = true): CatalogColumn => ({
  name,
  position,
  typeText,
  type: parseWarehouseType(typeText),
  nullable,
});

const column = (
  name: string,
  sourceType: string,
  logical: ColumnSpec["logical"],
  nullable = true,
): ColumnSpec => ({
  name,
  sourceType,
  logical,
  nullable,
});

describe("warehouse types: parse, hold, widen", () => {
  it.each([
    ["character varying(40)", { kind: "varchar", length: 40 }],
    ["VARCHAR(65535)", { kind: "varchar", length: 65535 }],
    ["numeric(12,2)", { kind: "decimal", precision: 12, scale: 2 }],
    ["numeric", { kind: "decimal", precision: null, scale: 0 }],
    ["timestamp(3) without time zone", { kind: "timestamp", precision: 3 }],
    ["timestamp with time zone", { kind: "timestamptz", precision: 6 }],
    ["TIMESTAMPTZ", { kind: "timestamptz", precision: 6 }],
    ["double precision", { kind: "double" }],
    ["binary varying(16)", { kind: "varbyte", length: 16 }],
    ["int8", { kind: "bigint" }],
    ["geometry", { kind: "other", text: "geometry" }],
  ])("%s", (text, expected) => {
    expect(parseWarehouseType(text)).toEqual(expected);
  });

  it.each([
    ["INTEGER", "SMALLINT", true],
    ["SMALLINT", "INTEGER", false],
    ["BIGINT", "DECIMAL(18,0)", true],
    ["BIGINT", "DECIMAL(19,0)", false],
    ["DECIMAL(20,0)", "BIGINT", true],
    ["DECIMAL(12,2)", "DECIMAL(10,2)", true],
    ["DECIMAL(12,2)", "DECIMAL(10,4)", false],
    ["DECIMAL(12,2)", "INTEGER", true],
    ["VARCHAR(200)", "VARCHAR(50)", true],
    ["VARCHAR(50)", "VARCHAR(200)", false],
    ["text", "VARCHAR(200)", true],
    ["VARCHAR(50)", "INTEGER", false],
    ["DOUBLE PRECISION", "REAL", true],
    ["TIMESTAMP", "TIMESTAMPTZ", false],
    ["timestamp(0)", "timestamp(6)", false],
  ])("%s holds %s: %s", (targetType, needed, holds) => {
    expect(typeHolds(parseWarehouseType(targetType), parseWarehouseType(needed))).toBe(holds);
  });

  it.each([
    ["INTEGER", "BIGINT", { kind: "bigint" }],
    ["DECIMAL(10,2)", "DECIMAL(12,2)", { kind: "decimal", precision: 12, scale: 2 }],
    ["DECIMAL(10,2)", "DECIMAL(10,4)", { kind: "decimal", precision: 12, scale: 4 }],
    ["BIGINT", "DECIMAL(20,0)", { kind: "decimal", precision: 20, scale: 0 }],
    ["INTEGER", "DECIMAL(8,3)", { kind: "decimal", precision: 13, scale: 3 }],
    ["VARCHAR(50)", "VARCHAR(200)", { kind: "varchar", length: 200 }],
    ["REAL", "DOUBLE PRECISION", { kind: "double" }],
    ["VARCHAR(50)", "INTEGER", null],
    ["DATE", "TIMESTAMP", null],
    ["DECIMAL(38,30)", "DECIMAL(38,0)", null], // would need 68 digits
  ])("%s widened for %s", (from, needed, expected) => {
    expect(widenedType(parseWarehouseType(from), parseWarehouseType(needed), 38)).toEqual(expected);
  });
});

describe("pre-flight: Parquet schema against the Redshift staging table", () => {
  it("accepts every logical type as the writer lays it out", () => {
    expect(checkParquetContract("shop.orders", "r7", runColumns("redshift", everyTypeColumns))).toBeNull();
  });

  it("raises VARCHAR widths to the longest staged value and refuses values beyond 65535 bytes", () => {
    const note = column("note", "varchar(10)", { kind: "string", maxBytes: 40 });
    const widened = runColumns("redshift", [note], { note: { nulls: 0, maxBytes: 900 } });
    expect(widened[0]?.typeText).toBe("VARCHAR(900)");
    expect(checkParquetContract("shop.orders", "r7", widened)).toBeNull();

    const huge = runColumns("redshift", [column("body", "longtext", { kind: "string", maxBytes: null })], {
      body: { nulls: 0, maxBytes: 70_000 },
    });
    const error = checkParquetContract("shop.orders", "r7", huge);
    expect(error).toMatchObject({ kind: "schema", retryable: false });
    expect(error?.message).toContain('column "body" (longtext, position 1)');
    expect(error?.message).toContain("BYTE_ARRAY STRING");
    expect(error?.message).toContain("VARCHAR(65535)");
    expect(error?.message).toContain("70000 bytes");
    expect(error?.message).toContain("truncate");
  });

  const decimalColumn = runColumns("redshift", [
    column("amount", "decimal(38,10)", { kind: "decimal", precision: 38, scale: 10 }),
  ])[0] as RunColumn;
  const layout = {
    name: "amount",
    physicalType: "FIXED_LEN_BYTE_ARRAY",
    logicalType: "DECIMAL(38,10)",
    convertedType: "DECIMAL",
    repetition: "OPTIONAL" as const,
    typeLength: 16,
    precision: 38,
    scale: 10,
  };

  it("checks decimal storage: physical type by precision and minimal FIXED_LEN_BYTE_ARRAY length", () => {
    expect(parquetMismatch(layout, decimalColumn)).toBeNull();
    expect(parquetMismatch({ ...layout, typeLength: 17 }, decimalColumn)).toContain("minimal length is 16");
    expect(parquetMismatch({ ...layout, physicalType: "INT64" }, decimalColumn)).toContain(
      "Redshift expects FIXED_LEN_BYTE_ARRAY",
    );
    expect(parquetMismatch({ ...layout, logicalType: "DECIMAL(38,8)", scale: 8 }, decimalColumn)).toContain(
      "needs a DECIMAL(38,8) column",
    );
  });

  it("checks the timestamp unit and zone, and integer ranges", () => {
    const [created, updated, qty] = runColumns("redshift", [
      column("created", "datetime(6)", { kind: "datetime", fsp: 6 }),
      column("updated_at", "timestamp", { kind: "timestamp", fsp: 0 }),
      column("qty", "int unsigned", { kind: "integer", bits: 32, unsigned: true }),
    ]) as [RunColumn, RunColumn, RunColumn];
    const timestamp = {
      name: "created",
      physicalType: "INT64",
      logicalType: "TIMESTAMP(NANOS,isAdjustedToUTC=false)",
      convertedType: null,
      repetition: "OPTIONAL" as const,
      typeLength: null,
      precision: null,
      scale: null,
    };
    expect(parquetMismatch(timestamp, created)).toContain("microseconds");
    const micros = { ...timestamp, logicalType: "TIMESTAMP(MICROS,isAdjustedToUTC=false)" };
    expect(parquetMismatch(micros, created)).toBeNull();
    expect(parquetMismatch(micros, updated)).toContain("loads into TIMESTAMP");
    const uint32 = {
      ...timestamp,
      name: "qty",
      physicalType: "INT32",
      logicalType: null,
      convertedType: "UINT_32",
    };
    expect(qty.typeText).toBe("BIGINT");
    expect(parquetMismatch(uint32, qty)).toBeNull();
    expect(parquetMismatch(uint32, { ...qty, type: { kind: "integer" }, typeText: "INTEGER" })).toContain(
      "need at least BIGINT",
    );
  });
});

describe("staging table shaped like the run", () => {
  const columns = [
    column("id", "bigint", { kind: "integer", bits: 64, unsigned: false }, false),
    column("E-Mail", "varchar(80)", { kind: "string", maxBytes: 320 }),
  ];

  it("redshift: the run's columns in file order, all nullable, no extra column", () => {
    expect(
      renderStagingTable("redshift", staging, runColumns("redshift", columns)),
    ).toBe(`CREATE TEMP TABLE "sluice_stage_1" (
  "id" BIGINT,
  "e_mail" VARCHAR(320)
)`);
  });

  it("postgres: plus the position column, dropped at commit", () => {
    expect(
      renderStagingTable("postgres", staging, runColumns("postgres", columns)),
    ).toBe(`CREATE TEMP TABLE "sluice_stage_1" (
  "id" bigint,
  "e_mail" text,
  "_sluice_seq" BIGINT NOT NULL
) ON COMMIT DROP`);
  });
});

describe("schema evolution between runs", () => {
  const v2 = [
    column("id", "bigint", { kind: "integer", bits: 64, unsigned: false }, false),
    column("name", "varchar(200)", { kind: "string", maxBytes: 800 }),
    column("qty", "bigint", { kind: "integer", bits: 64, unsigned: false }, false),
    column("amount", "decimal(12,2)", { kind: "decimal", precision: 12, scale: 2 }),
    column("email", "varchar(80)", { kind: "string", maxBytes: 320 }),
  ];
  // The target as the first run (before MySQL's ALTER TABLE) created it; "legacy" was dropped in MySQL since.
  const existing = [
    catalog("id", 1, "bigint", false),
    catalog("name", 2, "character varying(200)"),
    catalog("legacy", 3, "smallint", false),
    catalog("qty", 4, "integer", false),
    catalog("amount", 5, "numeric(10,2)"),
  ];
  const plan = planSchemaEvolution(
    "redshift",
    "shop.orders",
    "r7",
    target,
    runColumns("redshift", v2),
    existing,
  ) as EvolutionPlan;

  it("plans: widen VARCHAR, INTEGER and DECIMAL, relax the dropped column, append the new one", () => {
    expect(plan.typeChanges.map((change) => [change.column, change.from.typeText, change.toText])).toEqual([
      ["name", "character varying(200)", "VARCHAR(800)"],
      ["qty", "integer", "BIGINT"],
      ["amount", "numeric(10,2)", "DECIMAL(12,2)"],
    ]);
    expect(plan.relaxNotNull).toEqual(["legacy"]);
    expect(plan.addColumns.map((added) => added.name)).toEqual(["email"]);
  });

  it("redshift: VARCHAR widens in place before the transaction (not key columns)", () => {
    expect(renderRedshiftVarcharAlters(target, plan, ["id"])).toEqual([
      `ALTER TABLE "shop"."orders" ALTER COLUMN "name" TYPE VARCHAR(800)`,
    ]);
    expect(renderRedshiftVarcharAlters(target, plan, ["id", "name"])).toEqual([]);
  });

  it("redshift: anything else rebuilds the table in column order, with the table's DDL options", () => {
    const names = mapColumnNames("shop.orders", v2, "redshift")._unsafeUnwrap();
    const ddl = resolveDdlOptions(
      "shop.orders",
      { distKey: "id", columnEncodings: { name: "zstd" } },
      names,
      "qty",
      new Map([["name", "VARCHAR(800)"]]),
    )._unsafeUnwrap();
    expect(renderEvolutionStatements("redshift", target, plan, ["id"], { ddl })).toEqual([
      `CREATE TABLE "shop"."orders_sluice_rebuild" (
  "id" BIGINT NOT NULL,
  "name" VARCHAR(800) ENCODE ZSTD,
  "legacy" SMALLINT,
  "qty" BIGINT NOT NULL,
  "amount" DECIMAL(12,2),
  "email" VARCHAR(320),
  PRIMARY KEY ("id")
)
DISTSTYLE KEY
DISTKEY ("id")
SORTKEY ("qty")`,
      `INSERT INTO "shop"."orders_sluice_rebuild" ("id", "name", "legacy", "qty", "amount")
SELECT "id", "name", "legacy", "qty", "amount"
FROM "shop"."orders"`,
      `DROP TABLE "shop"."orders"`,
      `ALTER TABLE "shop"."orders_sluice_rebuild" RENAME TO "orders"`,
    ]);
  });

  it("redshift: only new columns is one ADD COLUMN per statement", () => {
    const onlyAdded = planSchemaEvolution(
      "redshift",
      "shop.orders",
      "r7",
      target,
      runColumns("redshift", [
        v2[0] as ColumnSpec,
        v2[4] as ColumnSpec,
        column("tags", "json", { kind: "json" }),
      ]),
      [catalog("id", 1, "bigint", false)],
    ) as EvolutionPlan;
    expect(renderEvolutionStatements("redshift", target, onlyAdded, ["id"], {})).toEqual([
      `ALTER TABLE "shop"."orders" ADD COLUMN "email" VARCHAR(320)`,
      `ALTER TABLE "shop"."orders" ADD COLUMN "tags" SUPER`,
    ]);
  });

  it("postgres: ALTER COLUMN TYPE and DROP NOT NULL in place", () => {
    const pgPlan = planSchemaEvolution("postgres", "shop.orders", "r7", target, runColumns("postgres", v2), [
      catalog("id", 1, "bigint", false),
      catalog("name", 2, "text"),
      catalog("legacy", 3, "smallint", false),
      catalog("qty", 4, "integer", false),
      catalog("amount", 5, "numeric(10,2)"),
    ]) as EvolutionPlan;
    expect(renderEvolutionStatements("postgres", target, pgPlan, ["id"], {})).toEqual([
      `ALTER TABLE "shop"."orders" ALTER COLUMN "qty" TYPE bigint`,
      `ALTER TABLE "shop"."orders" ALTER COLUMN "amount" TYPE numeric(12,2)`,
      `ALTER TABLE "shop"."orders" ALTER COLUMN "legacy" DROP NOT NULL`,
      `ALTER TABLE "shop"."orders" ADD COLUMN "email" text`,
    ]);
  });

  it("keeps a target type that already holds the run's (older files, narrowed sources)", () => {
    const older = planSchemaEvolution(
      "redshift",
      "shop.orders",
      "r1",
      target,
      runColumns("redshift", [
        column("id", "int", { kind: "integer", bits: 32, unsigned: false }, false),
        column("name", "varchar(50)", { kind: "string", maxBytes: 200 }),
      ]),
      [catalog("id", 1, "bigint", false), catalog("name", 2, "character varying(800)")],
    ) as EvolutionPlan;
    expect(older).toMatchObject({ typeChanges: [], relaxNotNull: [], addColumns: [] });
  });

  it("refuses a change that cannot be widened, naming table, column, both types and the fix", () => {
    const error = planSchemaEvolution(
      "redshift",
      "shop.orders",
      "r7",
      target,
      runColumns("redshift", [
        column("id", "bigint", { kind: "integer", bits: 64, unsigned: false }, false),
        column("name", "int", { kind: "integer", bits: 32, unsigned: false }),
      ]),
      [catalog("id", 1, "bigint", false), catalog("name", 2, "character varying(800)")],
    );
    expect(error).toMatchObject({ kind: "schema", retryable: false });
    const message = (error as { message: string }).message;
    expect(message).toContain("shop.orders run r7");
    expect(message).toContain('column "name" is CHARACTER VARYING(800)');
    expect(message).toContain("INTEGER (MySQL int)");
    expect(message).toContain(`ALTER TABLE "shop"."orders" RENAME COLUMN "name" TO "name_old"`);
  });
});

describe("DDL options", () => {
  const names = mapColumnNames("shop.orders", everyTypeColumns, "redshift")._unsafeUnwrap();
  const types = new Map(runColumns("redshift", everyTypeColumns).map((run) => [run.name, run.typeText]));
  const resolve = (options: Parameters<typeof resolveDdlOptions>[1]) =>
    resolveDdlOptions("shop.orders", options, names, "updated_at", types);
  const create = (options: Parameters<typeof resolveDdlOptions>[1]) =>
    renderCreateTable("redshift", target, everyTypeColumns.slice(0, 3), ["id"], {
      ddl: resolve(options)._unsafeUnwrap(),
    }).split("\n)\n")[1];

  it("defaults: DISTSTYLE AUTO, SORTKEY on the cursor column, ENCODE AUTO", () => {
    const ddl = resolve({})._unsafeUnwrap();
    expect(
      renderCreateTable("redshift", target, everyTypeColumns.slice(0, 2), ["id"], {
        ddl: { ...ddl, sortKey: ["qty"] },
      }),
    ).toBe(`CREATE TABLE IF NOT EXISTS "shop"."orders" (
  "id" BIGINT NOT NULL,
  "qty" SMALLINT,
  PRIMARY KEY ("id")
)
DISTSTYLE AUTO
SORTKEY ("qty")
ENCODE AUTO`);
    expect(ddl).toMatchObject({ distStyle: "auto", sortKey: ["updated_at"], columnEncodings: {} });
  });

  it.each([
    [{ distKey: "ID" }, 'DISTSTYLE KEY\nDISTKEY ("id")\nSORTKEY ("tiny")'],
    [{ distStyle: "all" as const, sortKey: ["tiny", "qty"] }, 'DISTSTYLE ALL\nSORTKEY ("tiny", "qty")'],
    [
      { distStyle: "even" as const, sortKey: ["qty", "id"], sortStyle: "interleaved" as const },
      'DISTSTYLE EVEN\nINTERLEAVED SORTKEY ("qty", "id")',
    ],
    [{ sortKey: "auto" as const }, "DISTSTYLE AUTO\nSORTKEY AUTO"],
  ])("%j", (options, tail) => {
    const ddl = resolve({ sortKey: ["tiny"], ...options })._unsafeUnwrap();
    const sql = renderCreateTable("redshift", target, everyTypeColumns.slice(0, 3), ["id"], { ddl });
    expect(sql.split("\n)\n")[1]).toBe(`${tail}\nENCODE AUTO`);
  });

  it("column encodings replace ENCODE AUTO", () => {
    const ddl = resolve({ sortKey: ["qty"], columnEncodings: { id: "AZ64", tiny: "zstd" } })._unsafeUnwrap();
    expect(
      renderCreateTable("redshift", target, everyTypeColumns.slice(0, 3), ["id"], { ddl }),
    ).toBe(`CREATE TABLE IF NOT EXISTS "shop"."orders" (
  "id" BIGINT NOT NULL ENCODE AZ64,
  "qty" SMALLINT,
  "tiny" SMALLINT ENCODE ZSTD,
  PRIMARY KEY ("id")
)
DISTSTYLE AUTO
SORTKEY ("qty")`);
    expect(create({ sortKey: ["qty"] })).toContain("ENCODE AUTO");
  });

  it("postgres ignores them", () => {
    const ddl = resolve({ distKey: "id", sortKey: ["id"], columnEncodings: { id: "az64" } })._unsafeUnwrap();
    expect(
      renderCreateTable("postgres", target, everyTypeColumns.slice(0, 1), ["id"], { ddl }),
    ).toBe(`CREATE TABLE IF NOT EXISTS "shop"."orders" (
  "id" bigint NOT NULL,
  PRIMARY KEY ("id")
)`);
  });

  it.each([
    [{ distKey: "nope" }, '--dist-key column "nope" is not a column'],
    [{ distStyle: "key" as const }, "needs --dist-key"],
    [{ distStyle: "even" as const, distKey: "id" }, "goes with DISTSTYLE KEY"],
    [{ sortKey: ["id", "ID"] }, "twice"],
    [{ sortKey: [] }, "names no column"],
    [{ sortStyle: "interleaved" as const }, "needs explicit --sort-key"],
    [{ columnEncodings: { name: "az64" } }, "AZ64 does not apply to VARCHAR(400)"],
    [{ columnEncodings: { id: "gzip" } }, "unknown encoding"],
    [{ columnEncodings: { doc: "text255" } }, "TEXT255 does not apply to SUPER"],
  ])("refuses %j", (options, message) => {
    const error = resolve(options)._unsafeUnwrapErr();
    expect(error.kind).toBe("config");
    expect(error.message).toContain("shop.orders");
    expect(error.message).toContain(message);
  });
});

describe("catalog queries", () => {
  it("use SVV_COLUMNS on Redshift and information_schema on PostgreSQL", () => {
    expect(catalogColumnsSql("redshift")).toContain("FROM svv_columns");
    expect(catalogColumnsSql("postgres")).toContain("FROM information_schema.columns");
  });
});
