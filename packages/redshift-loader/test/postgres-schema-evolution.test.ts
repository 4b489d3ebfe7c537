import type { ColumnSpec, LogicalType } from "@sluice/core";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EvolutionPlan,
  mapColumnNames,
  openLoader,
  planSchemaEvolution,
  postgresDialect,
  renderRebuildStatements,
  runColumnsOf,
  type WarehouseLoader,
} from "../src/index.js";
import { readCatalogColumns } from "../src/target-catalog.js";
import {
  checkClient,
  privatePostgres,
  stageRun,
  targetAsText,
  temporaryLake,
  uniqueSchema,
} from "./pg-load-fixture.js";

const schema = uniqueSchema("rl_evolve");
const ledgerSchema = uniqueSchema("rl_evolve_ledger");
let lake: Awaited<ReturnType<typeof temporaryLake>>;
let loader: WarehouseLoader;
let check: pg.Client;

const column = (name: string, sourceType: string, logical: LogicalType, nullable = true): ColumnSpec => ({
  name,
  sourceType,
  logical,
  nullable,
});

/** Columns, types and nullability of a target, in table order, as PostgreSQL reports them. */
async function describeTarget(table: string): Promise<string[]> {
  const result = await check.query<{ column_name: string; type: string; is_nullable: string }>(
    `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
            CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [schema, table],
  );
  return result.rows.map(
    (row) => `${row.column_name} ${row.type}${row.is_nullable === "NO" ? " not null" : ""}`,
  );
}

beforeAll(async () => {
  lake = await temporaryLake();
  loader = (
    await openLoader({
      connection: privatePostgres().connection,
      lake: lake.lake,
      ledgerSchema,
      targetSchema: schema,
      tables: { "src.Renamed": { targetName: "Renamed_Target" } },
    })
  )._unsafeUnwrap();
  check = await checkClient();
});

afterAll(async () => {
  await loader?.close();
  await check?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await check?.query(`DROP SCHEMA IF EXISTS "${ledgerSchema}" CASCADE`);
  await check?.end();
  await lake?.dispose();
});

describe("target names on PostgreSQL", () => {
  it("folds, sanitises and prefixes column names, and honours a per-table target name", async () => {
    const columns = [
      column("ID", "int", { kind: "integer", bits: 32, unsigned: false }, false),
      column("Order", "varchar(10)", { kind: "string", maxBytes: 40 }),
      column("2fa", "tinyint(1)", { kind: "boolean" }),
      column("e-mail", "varchar(80)", { kind: "string", maxBytes: 320 }),
      column("oid", "bigint", { kind: "integer", bits: 64, unsigned: false }),
    ];
    const run = await stageRun(lake.lake, {
      table: "src.Renamed",
      runId: "n1",
      columns,
      primaryKey: ["ID"],
      cursorColumn: null,
      parts: [[[1, "first", 1, "a@example.com", 77]]],
    });
    const report = (await loader.loadRun(run, ""))._unsafeUnwrap();
    expect(report.target).toBe(`${schema}.renamed_target`);
    expect(await describeTarget("renamed_target")).toEqual([
      "id integer not null",
      "order text",
      "col_2fa boolean",
      "e_mail text",
      "col_oid bigint",
    ]);
    expect(
      await targetAsText(
        check,
        `"${schema}"."renamed_target"`,
        ["id", "order", "col_2fa", "e_mail", "col_oid"],
        "id",
      ),
    ).toEqual([["1", "first", "true", "a@example.com", "77"]]);
    expect([...(await loader.loadedRunIds("src.Renamed"))._unsafeUnwrap()]).toEqual(["n1"]);
  });

  it("refuses two source columns that fold to one name, before touching the warehouse", async () => {
    const run = await stageRun(lake.lake, {
      table: "src.clash",
      runId: "c1",
      columns: [
        column("Name", "varchar(10)", { kind: "string", maxBytes: 40 }),
        column("name", "varchar(10)", { kind: "string", maxBytes: 40 }),
      ],
      primaryKey: [],
      cursorColumn: null,
      parts: [[["a", "b"]]],
    });
    const error = (await loader.loadRun(run, ""))._unsafeUnwrapErr();
    expect(error.kind).toBe("schema");
    expect(error.message).toContain('"Name" and "name" both become "name"');
    const exists = await check.query("SELECT to_regclass($1) AS oid", [`"${schema}"."clash"`]);
    expect(exists.rows[0].oid).toBeNull();
  });

  it("refuses an invalid explicit target name with a suggestion", async () => {
    const other = (
      await openLoader({
        connection: privatePostgres().connection,
        lake: lake.lake,
        ledgerSchema,
        tables: { "src.t": { targetName: "my table" } },
      })
    )._unsafeUnwrap();
    try {
      const error = (await other.countRows("src.t"))._unsafeUnwrapErr();
      expect(error.kind).toBe("config");
      expect(error.message).toContain('use "my_table"');
    } finally {
      await other.close();
    }
  });
});

describe("schema evolution between runs on PostgreSQL", () => {
  const table = "src.items";
  const v1 = [
    column("id", "int", { kind: "integer", bits: 32, unsigned: false }, false),
    column("qty", "int", { kind: "integer", bits: 32, unsigned: false }, false),
    column("amount", "decimal(10,2)", { kind: "decimal", precision: 10, scale: 2 }),
    column("name", "varchar(50)", { kind: "string", maxBytes: 200 }),
    column("legacy", "smallint", { kind: "integer", bits: 16, unsigned: false }, false),
  ];
  // MySQL: MODIFY qty BIGINT, MODIFY amount DECIMAL(12,2), MODIFY name VARCHAR(200), DROP legacy, ADD email.
  const v2 = [
    column("id", "int", { kind: "integer", bits: 32, unsigned: false }, false),
    column("qty", "bigint", { kind: "integer", bits: 64, unsigned: false }, false),
    column("amount", "decimal(12,2)", { kind: "decimal", precision: 12, scale: 2 }),
    column("name", "varchar(200)", { kind: "string", maxBytes: 800 }),
    column("email", "varchar(80)", { kind: "string", maxBytes: 320 }),
  ];
  const stage = (runId: string, columns: ColumnSpec[], rows: (string | number | null)[][]) =>
    stageRun(lake.lake, { table, runId, columns, primaryKey: ["id"], cursorColumn: null, parts: [rows] });
  const all = ["id", "qty", "amount", "name", "legacy", "email"];

  it("widens, relaxes and appends, then loads a run staged before the change", async () => {
    // A run staged before the ALTER, loaded late (after the widened run).
    const late = await stage("a2", v1, [[3, 30, "30.00", "late", 3]]);
    (await loader.loadRun(await stage("a1", v1, [[1, 10, "10.50", "one", 7]]), ""))._unsafeUnwrap();
    expect(await describeTarget("items")).toEqual([
      "id integer not null",
      "qty integer not null",
      "amount numeric(10,2)",
      "name text",
      "legacy smallint not null",
    ]);

    const widened = await stage("b1", v2, [[2, 5_000_000_000, "1234567890.12", "two", "b@example.com"]]);
    const report = (await loader.loadRun(widened, ""))._unsafeUnwrap();
    expect(report.schemaChanges).toEqual([
      "widened qty integer -> bigint",
      "widened amount numeric(10,2) -> numeric(12,2)",
      "legacy now accepts NULL",
      "added email text",
    ]);
    expect(await describeTarget("items")).toEqual([
      "id integer not null",
      "qty bigint not null",
      "amount numeric(12,2)",
      "name text",
      "legacy smallint",
      "email text",
    ]);

    (await loader.loadRun(late, ""))._unsafeUnwrap();
    expect(await targetAsText(check, `"${schema}"."items"`, all, "id")).toEqual([
      ["1", "10", "10.50", "one", "7", null],
      ["2", "5000000000", "1234567890.12", "two", null, "b@example.com"],
      ["3", "30", "30.00", "late", "3", null],
    ]);
  });

  it("stops the table on a change that cannot be widened, changing nothing", async () => {
    const before = await targetAsText(check, `"${schema}"."items"`, all, "id");
    const v3 = v2.map((spec) =>
      spec.name === "qty" ? column("qty", "varchar(20)", { kind: "string", maxBytes: 80 }) : spec,
    );
    // email -> INT is not widening either; qty comes first in table order.
    const error = (
      await loader.loadRun(await stage("c1", v3, [[4, "lots", "1.00", "four", "x"]]), "")
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("schema");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(
      `target ${schema}.items column "qty" is BIGINT but the run carries text (MySQL varchar(20))`,
    );
    expect(error.message).toContain("RENAME COLUMN");
    expect(await targetAsText(check, `"${schema}"."items"`, all, "id")).toEqual(before);
    expect((await loader.loadedRunIds(table))._unsafeUnwrap().has("c1")).toBe(false);
  });

  it("widens an operator's narrow VARCHAR when the run staged longer values", async () => {
    await check.query(
      `CREATE TABLE "${schema}"."notes" ("id" integer NOT NULL PRIMARY KEY, "body" varchar(5))`,
    );
    const run = await stageRun(lake.lake, {
      table: "src.notes",
      runId: "w1",
      columns: [
        column("id", "int", { kind: "integer", bits: 32, unsigned: false }, false),
        column("body", "varchar(20)", { kind: "string", maxBytes: 80 }),
      ],
      primaryKey: ["id"],
      cursorColumn: null,
      parts: [[[1, "ninebytes"]]],
      columnStats: { id: { nulls: 0, maxBytes: null }, body: { nulls: 0, maxBytes: 9 } },
    });
    const report = (await loader.loadRun(run, ""))._unsafeUnwrap();
    expect(report.schemaChanges).toEqual(["widened body character varying(5) -> text"]);
    expect(await targetAsText(check, `"${schema}"."notes"`, ["id", "body"], "id")).toEqual([
      ["1", "ninebytes"],
    ]);
  });
});

describe("the rebuild strategy (Redshift's way to widen), executed on PostgreSQL", () => {
  it("keeps column order, rows, keys, and swaps the table inside one transaction", async () => {
    await check.query(
      `CREATE TABLE "${schema}"."ledger_rows" ("id" integer NOT NULL PRIMARY KEY, "qty" integer NOT NULL, "gone" smallint NOT NULL, "amount" numeric(10,2))`,
    );
    await check.query(
      `INSERT INTO "${schema}"."ledger_rows" VALUES (1, 2147483647, 5, 99999999.99), (2, -1, 6, NULL)`,
    );
    const columns = [
      column("id", "int", { kind: "integer", bits: 32, unsigned: false }, false),
      column("qty", "bigint", { kind: "integer", bits: 64, unsigned: false }, false),
      column("amount", "decimal(12,2)", { kind: "decimal", precision: 12, scale: 2 }),
      column("extra", "varchar(3)", { kind: "string", maxBytes: 12 }),
    ];
    const target = { schema, name: "ledger_rows" };
    const names = mapColumnNames("src.ledger_rows", columns, "postgres")._unsafeUnwrap();
    const run = runColumnsOf("postgres", target, { columns } as never, names);
    const existing = await readCatalogColumns(check, postgresDialect, target);
    const plan = planSchemaEvolution(
      "postgres",
      "src.ledger_rows",
      "r1",
      target,
      run,
      existing ?? [],
    ) as EvolutionPlan;
    const statements = renderRebuildStatements(
      "postgres",
      target,
      plan,
      ["id", "qty", "gone", "amount"],
      ["id"],
      {},
    );
    await check.query("BEGIN");
    for (const statement of statements) await check.query(statement);
    await check.query("COMMIT");
    expect(await describeTarget("ledger_rows")).toEqual([
      "id integer not null",
      "qty bigint not null",
      "gone smallint",
      "amount numeric(12,2)",
      "extra text",
    ]);
    expect(
      await targetAsText(check, `"${schema}"."ledger_rows"`, ["id", "qty", "gone", "amount", "extra"], "id"),
    ).toEqual([
      ["1", "2147483647", "5", "99999999.99", null],
      ["2", "-1", "6", null, null],
    ]);
    await check.query(
      `INSERT INTO "${schema}"."ledger_rows" VALUES (3, 5000000000, NULL, 1234567890.12, 'new')`,
    );
    await expect(
      check.query(`INSERT INTO "${schema}"."ledger_rows" (id, qty) VALUES (3, 1)`),
    ).rejects.toThrow(/duplicate key/);
  });
});
