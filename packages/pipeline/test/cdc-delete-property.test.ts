import { createTestMysqlConnection } from "@sluice/test-services";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { reconcileTable, syncTable } from "../src/index.js";
import {
  createSourceDatabase,
  dropTargetSchema,
  type MysqlConnection,
  mysqlRows,
  pgRows,
  syncUntilQuiet,
} from "./cdc-fixture.js";
import { localLake, syncOptions } from "./sync-fixture.js";

const schema = "pipeline_delete_property";
let writer: MysqlConnection;
let holder: MysqlConnection;

beforeAll(async () => {
  writer = await createSourceDatabase(schema, "SELECT 1");
  // READ COMMITTED: the writer's range statements (id > 0) take no gap locks, so they
  // never wait on the rows the held transaction writes (negative ids).
  await writer.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
  holder = await createTestMysqlConnection(inject("sluiceServices").mysql);
  await holder.query(`USE ${schema}`);
  await dropTargetSchema(schema);
});
afterAll(async () => {
  await holder?.query("ROLLBACK").catch(() => {});
  await holder?.end();
  await writer?.end();
});

/** What a writer, a long transaction or the scheduler does next. */
type Step =
  | { readonly kind: "insert"; readonly rows: number }
  | { readonly kind: "update"; readonly every: number }
  | { readonly kind: "delete"; readonly every: number; readonly offset: number }
  | { readonly kind: "hold" }
  | { readonly kind: "commit" }
  | {
      readonly kind: "sync";
      readonly pageSize: number;
      readonly limit: number | null;
      readonly reconcile: boolean;
    };

const step = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), rows: fc.integer({ min: 1, max: 25 }) }),
  fc.record({ kind: fc.constant("update" as const), every: fc.integer({ min: 1, max: 7 }) }),
  fc.record({
    kind: fc.constant("delete" as const),
    every: fc.integer({ min: 2, max: 9 }),
    offset: fc.integer({ min: 0, max: 8 }),
  }),
  fc.record({ kind: fc.constant("hold" as const) }),
  fc.record({ kind: fc.constant("commit" as const) }),
  fc.record({
    kind: fc.constant("sync" as const),
    pageSize: fc.integer({ min: 1, max: 12 }),
    limit: fc.option(fc.integer({ min: 1, max: 25 }), { nil: null }),
    reconcile: fc.boolean(),
  }),
);

let tables = 0;

/**
 * A real run of the pipeline against MariaDB and PostgreSQL: writers insert, update
 * and delete in bursts stamped by the server at second precision (ties everywhere);
 * a transaction inserts, updates and deletes its own rows and stays open across sync
 * runs (its stamps are older than the rows committed meanwhile); syncs run with random
 * page sizes and limits, some reconciling deletes. No reconciliation may ever report
 * a row missing below the watermark. After the writers stop, a quiet run and a
 * reconciliation leave the target equal to the source, row for row.
 */
async function checkInterleaving(mode: "soft" | "hard", steps: readonly Step[]): Promise<void> {
  tables += 1;
  const name = `prop_${mode}_${tables}`;
  await writer.query(`CREATE TABLE ${schema}.${name} (id INT PRIMARY KEY, v INT NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, KEY (updated_at))`);
  const lake = await localLake();
  const base = syncOptions({ schema, table: name }, lake, { deleteMode: mode });
  let nextId = 1;
  let heldId = 0;
  let holding = false;
  const held: number[] = [];
  try {
    for (const next of steps) {
      if (next.kind === "insert") {
        const ids = Array.from({ length: next.rows }, () => nextId++);
        await writer.query(
          `INSERT INTO ${schema}.${name} (id, v) VALUES ${ids.map((id) => `(${id}, ${id})`).join(", ")}`,
        );
      } else if (next.kind === "update") {
        await writer.query(`UPDATE ${schema}.${name} SET v = v + 1 WHERE id > 0 AND id % ${next.every} = 0`);
      } else if (next.kind === "delete") {
        await writer.query(
          `DELETE FROM ${schema}.${name} WHERE id > 0 AND id % ${next.every} = ${next.offset % next.every}`,
        );
      } else if (next.kind === "hold") {
        if (!holding) {
          await holder.query("START TRANSACTION");
          holding = true;
        }
        // Inside the open transaction: a new row, a change and a delete of its own committed rows.
        heldId -= 1;
        await holder.query(`INSERT INTO ${schema}.${name} (id, v) VALUES (${heldId}, -1)`);
        const changed = held[held.length - 1];
        if (changed !== undefined)
          await holder.query(`UPDATE ${schema}.${name} SET v = v - 1 WHERE id = ${changed}`);
        const dropped = held.length > 2 ? held.shift() : undefined;
        if (dropped !== undefined) await holder.query(`DELETE FROM ${schema}.${name} WHERE id = ${dropped}`);
        held.push(heldId);
      } else if (next.kind === "commit") {
        if (holding) await holder.query("COMMIT");
        holding = false;
      } else {
        const result = await syncTable({
          ...base,
          pageSize: next.pageSize,
          limit: next.limit,
          reconcileDeletes: next.reconcile ? "every" : "off",
        });
        if (result.isErr()) throw new Error(result.error.message);
        expect(result.value.reconcile?.keysMissing ?? 0).toBe(0);
      }
    }
    if (holding) await holder.query("COMMIT");
    holding = false;
    // Quiet: the last writes' second is over, so it is below the next ceiling.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await syncUntilQuiet({ ...base, pageSize: 17, limit: 40 });
    const reconciled = (await reconcileTable(base))._unsafeUnwrap();
    expect(reconciled.report.keysMissing).toBe(0);
    const live = mode === "soft" ? ` WHERE "_sluice_deleted_at" IS NULL` : "";
    const [[exists]] = (await pgRows(`SELECT (to_regclass('"${schema}"."${name}"') IS NOT NULL)::text`)) as [
      [string],
    ];
    const target =
      exists !== "true"
        ? []
        : await pgRows(
            `SELECT id::text, v::text, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') FROM "${schema}"."${name}"${live} ORDER BY 1`,
          );
    const expected = await mysqlRows(
      writer,
      `SELECT CAST(id AS CHAR), CAST(v AS CHAR), CAST(updated_at AS CHAR) FROM ${schema}.${name} ORDER BY 1`,
    );
    expect(target).toEqual(expected);
  } finally {
    if (holding) await holder.query("ROLLBACK");
    await writer.query(`DROP TABLE IF EXISTS ${schema}.${name}`);
  }
}

describe("property: inserts, updates, deletes and a transaction held across runs, random syncs and reconciliations, then a quiet run and a reconciliation: target equals source", () => {
  for (const mode of ["soft", "hard"] as const) {
    it(`hybrid, ${mode} deletes`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 4, maxLength: 12 }), (steps) =>
          checkInterleaving(mode, steps),
        ),
        { numRuns: 4, endOnFailure: true },
      );
    }, 300_000);
  }
});
