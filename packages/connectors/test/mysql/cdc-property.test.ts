import type { CdcStrategy } from "@sluice/cdc-strategies";
import { advancePosition, hybridKeysetStrategy, timestampStrategy } from "@sluice/cdc-strategies";
import type { CursorPosition, SourceValue } from "@sluice/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openMysqlSource } from "../../src/index.js";
import type { MysqlSource } from "../../src/mysql/mysql-source.js";
import { extractAll, planWith, text } from "./cdc-plan-fixture.js";
import { adminConnection, uniqueTableName } from "./mariadb-test-database.js";

const mysql = inject("sluiceServices").mysql;
let source: MysqlSource;
let admin: Awaited<ReturnType<typeof adminConnection>>;

beforeAll(async () => {
  source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
  admin = await adminConnection(mysql);
});
afterAll(async () => {
  await source?.close();
  await admin?.end();
});

/** What a writer or the scheduler does next. */
type Step =
  | { readonly kind: "insert"; readonly rows: number }
  | { readonly kind: "update"; readonly every: number }
  | { readonly kind: "sync"; readonly pageSize: number; readonly limit: number | null };

const step = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), rows: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant("update" as const), every: fc.integer({ min: 1, max: 7 }) }),
  fc.record({
    kind: fc.constant("sync" as const),
    pageSize: fc.integer({ min: 1, max: 12 }),
    limit: fc.option(fc.integer({ min: 1, max: 25 }), { nil: null }),
  }),
);

/**
 * The model: a warehouse that merges each run's rows by key (later wins, as the
 * loader's merge does). Writes stamp TIMESTAMP(0) from the server clock, so bursts
 * share a second (ties everywhere); syncs run with random page sizes and limits in
 * between. After the writers stop and a second has passed, runs until one is empty
 * must leave the model equal to the table, row for row.
 */
async function checkInterleaving(strategy: CdcStrategy, steps: readonly Step[]): Promise<void> {
  const table = uniqueTableName(`prop_${strategy.name}`);
  await admin.query(`CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, KEY (updated_at))`);
  try {
    const spec = (await source.describeTable({ schema: mysql.database, table }))._unsafeUnwrap();
    const warehouse = new Map<string, string>();
    let after: CursorPosition | null = null;
    const sync = async (pageSize: number, limit: number | null): Promise<number> => {
      const plan = await planWith(source, strategy, spec, { pageSize, limit, after });
      const { rows } = await extractAll(source, spec, plan);
      for (const row of rows) warehouse.set(text(row[0]), `${text(row[1])}@${text(row[2])}`);
      after = advancePosition(strategy, {
        plan,
        spec,
        lastRow: (rows[rows.length - 1] as SourceValue[] | undefined) ?? null,
        rows: rows.length,
      });
      return rows.length;
    };
    for (const next of steps) {
      if (next.kind === "insert") {
        await admin.query(`INSERT INTO ${table} (v) SELECT seq FROM seq_1_to_${next.rows}`);
      } else if (next.kind === "update") {
        await admin.query(`UPDATE ${table} SET v = v + 1 WHERE id % ${next.every} = 0`);
      } else {
        await sync(next.pageSize, next.limit);
      }
    }
    // Quiet: the last writes' second is over, so it is below the next ceiling.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    for (let run = 0; run < 500 && (await sync(17, 40)) > 0; run += 1) {}
    const [rows] = await admin.query({
      sql: `SELECT CAST(id AS CHAR), CAST(v AS CHAR), CAST(updated_at AS CHAR) FROM ${table}`,
      rowsAsArray: true,
    });
    const expected = new Map((rows as string[][]).map(([id, v, at]) => [id as string, `${v}@${at}`]));
    expect(warehouse).toEqual(expected);
  } finally {
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
  }
}

describe("property: random writes with equal stamps and random sync runs, then a quiet run: target equals source", () => {
  for (const strategy of [hybridKeysetStrategy, timestampStrategy]) {
    it(`${strategy.name}`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 12 }), (steps) =>
          checkInterleaving(strategy, steps),
        ),
        { numRuns: 6, endOnFailure: true },
      );
    }, 180_000);
  }
});
