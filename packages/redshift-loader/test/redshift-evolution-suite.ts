import type { ColumnSpec, LogicalType, RunManifest } from "@sluice/core";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLoader, type WarehouseLoader } from "../src/index.js";
import { stageRun, targetAsText, uniqueSchema } from "./pg-load-fixture.js";
import { putRedshiftManifest, type RedshiftTarget } from "./redshift-target.js";

const column = (name: string, sourceType: string, logical: LogicalType, nullable = true): ColumnSpec => ({
  name,
  sourceType,
  logical,
  nullable,
});

// The table before and after MySQL's ALTER TABLE: MODIFY Qty BIGINT, MODIFY amount
// DECIMAL(12,2), MODIFY name VARCHAR(50), DROP legacy, ADD email.
const v1 = [
  column("ID", "int", { kind: "integer", bits: 32, unsigned: false }, false),
  column("Qty", "int", { kind: "integer", bits: 32, unsigned: false }, false),
  column("amount", "decimal(10,2)", { kind: "decimal", precision: 10, scale: 2 }),
  column("name", "varchar(10)", { kind: "string", maxBytes: 40 }),
  column("legacy", "smallint", { kind: "integer", bits: 16, unsigned: false }, false),
  column("updated_at", "datetime", { kind: "datetime", fsp: 0 }),
];
const v2 = [
  column("ID", "int", { kind: "integer", bits: 32, unsigned: false }, false),
  column("Qty", "bigint", { kind: "integer", bits: 64, unsigned: false }, false),
  column("amount", "decimal(12,2)", { kind: "decimal", precision: 12, scale: 2 }),
  column("name", "varchar(50)", { kind: "string", maxBytes: 200 }),
  column("updated_at", "datetime", { kind: "datetime", fsp: 0 }),
  column("email", "varchar(80)", { kind: "string", maxBytes: 320 }),
];

/**
 * Schema evolution on the Redshift path: VARCHAR widened in place before the load
 * transaction, other widenings and NOT NULL relaxation by rebuilding the table in its
 * column order, new columns appended, a run staged before the change loaded after it,
 * and an unwidenable change refused before COPY. Runs against the gateway in the normal
 * suite and against a live cluster in test-live/.
 */
export function describeRedshiftEvolution(title: string, target: () => RedshiftTarget): void {
  describe(title, () => {
    const schema = uniqueSchema("rl_rs_evolve").toLowerCase();
    const ledgerSchema = uniqueSchema("rl_rs_evolve_ledger").toLowerCase();
    const table = `${schema}.Items`;
    let redshift: RedshiftTarget;
    let loader: WarehouseLoader;
    let check: pg.Client;

    const stage = (runId: string, columns: ColumnSpec[], rows: unknown[][]) =>
      stageRun(redshift.lake, {
        table,
        runId,
        columns,
        primaryKey: ["ID"],
        cursorColumn: "updated_at",
        parts: [rows as never],
      });
    const load = async (manifest: RunManifest) =>
      loader.loadRun(manifest, await putRedshiftManifest(redshift.lake, manifest));
    const describeTarget = async () =>
      (
        await check.query<Record<string, string | number | null>>(
          `SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable
           FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'items' ORDER BY ordinal_position`,
          [schema],
        )
      ).rows.map((row) => {
        const size =
          row.data_type === "character varying"
            ? `(${row.character_maximum_length})`
            : row.data_type === "numeric"
              ? `(${row.numeric_precision},${row.numeric_scale})`
              : "";
        return `${row.column_name} ${row.data_type}${size}${row.is_nullable === "NO" ? " not null" : ""}`;
      });
    const rows = () =>
      targetAsText(check, `"${schema}"."items"`, ["id", "qty", "amount", "name", "legacy", "email"], '"id"');

    beforeAll(async () => {
      redshift = target();
      loader = (
        await openLoader({
          connection: redshift.connection,
          lake: redshift.lake,
          ledgerSchema,
          tables: { [table]: { distKey: "ID", columnEncodings: { name: "zstd" } } },
        })
      )._unsafeUnwrap();
      check = await redshift.check();
    });

    afterAll(async () => {
      await loader?.close();
      await check?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await check?.query(`DROP SCHEMA IF EXISTS "${ledgerSchema}" CASCADE`);
      await check?.end();
    });

    it("widens VARCHAR in place, rebuilds for the rest in column order, appends, and loads an old-shape run afterwards", async () => {
      const late = await stage("a2", v1, [[3, 30, "30.00", "three", 3, "2024-01-01 00:00:03"]]);
      (
        await load(await stage("a1", v1, [[1, 10, "10.50", "one", 7, "2024-01-01 00:00:01"]]))
      )._unsafeUnwrap();
      expect(await describeTarget()).toEqual([
        "id integer not null",
        "qty integer not null",
        "amount numeric(10,2)",
        "name character varying(40)",
        "legacy smallint not null",
        "updated_at timestamp without time zone",
      ]);

      const report = (
        await load(
          await stage("b1", v2, [
            [2, 5_000_000_000, "1234567890.12", "x".repeat(50), "2024-01-02 00:00:00", "b@example.com"],
          ]),
        )
      )._unsafeUnwrap();
      expect(report.schemaChanges).toEqual([
        'widened in place "name" TYPE VARCHAR(200)',
        `rebuilt ${schema}.items to change column types in place of ALTER`,
        "widened qty integer -> BIGINT",
        "widened amount numeric(10,2) -> DECIMAL(12,2)",
        "legacy now accepts NULL",
        "added email VARCHAR(320)",
      ]);
      expect(await describeTarget()).toEqual([
        "id integer not null",
        "qty bigint not null",
        "amount numeric(12,2)",
        "name character varying(200)",
        "legacy smallint",
        "updated_at timestamp without time zone",
        "email character varying(320)",
      ]);

      (await load(late))._unsafeUnwrap();
      expect(await rows()).toEqual([
        ["1", "10", "10.50", "one", "7", null],
        ["2", "5000000000", "1234567890.12", "x".repeat(50), null, "b@example.com"],
        ["3", "30", "30.00", "three", "3", null],
      ]);
    });

    it("refuses a change that cannot be widened before COPY, leaving the table as it was", async () => {
      const before = await rows();
      const v3 = v2.map((spec) =>
        spec.name === "amount" ? column("amount", "varchar(12)", { kind: "string", maxBytes: 48 }) : spec,
      );
      const error = (
        await load(await stage("c1", v3, [[4, 40, "n/a", "four", "2024-01-04 00:00:00", null]]))
      )._unsafeUnwrapErr();
      expect(error.kind).toBe("schema");
      expect(error.message).toContain(`column "amount" is NUMERIC(12,2) but the run carries VARCHAR(48)`);
      expect(await rows()).toEqual(before);
      expect((await loader.loadedRunIds(table))._unsafeUnwrap().has("c1")).toBe(false);
    });
  });
}
