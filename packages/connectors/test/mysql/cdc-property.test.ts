import type { CdcStrategy } from "@sluice/cdc-strategies";
import { advanceWatermark, hybridKeysetStrategy, timestampStrategy } from "@sluice/cdc-strategies";
import type { CursorPosition, SnapshotProgress, SourceValue } from "@sluice/core";
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

/** What a writer, the scheduler or an operator does next. */
type Step =
  | { readonly kind: "insert"; readonly rows: number }
  | { readonly kind: "insert-early"; readonly rows: number }
  | { readonly kind: "update"; readonly every: number }
  | { readonly kind: "sync"; readonly pageSize: number; readonly limit: number | null }
  | { readonly kind: "reset" };

const step = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant("insert" as const), rows: fc.integer({ min: 1, max: 30 }) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("insert-early" as const),
      rows: fc.integer({ min: 1, max: 5 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("update" as const), every: fc.integer({ min: 1, max: 7 }) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("sync" as const),
      pageSize: fc.integer({ min: 1, max: 12 }),
      limit: fc.option(fc.integer({ min: 1, max: 25 }), { nil: null, freq: 4 }),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant("reset" as const) }), weight: 1 },
);

/** The watermark between runs, as the pipeline keeps it: a position, or a snapshot in progress. */
interface Watermark {
  readonly after: CursorPosition | null;
  readonly snapshot: SnapshotProgress | null;
}

/**
 * The model: a warehouse that merges each run's rows by key (later wins, as the
 * loader's merge does). Runs start from an empty watermark, so the first ones read
 * the initial snapshot in primary-key order below a frozen ceiling, cut by random
 * limits and page sizes into several runs; writes between them append rows, insert
 * rows with keys below every existing one (behind the snapshot's position), and
 * update rows (their new stamp is at or above the ceiling, so they move across it,
 * ahead of or behind the snapshot's position); an operator reset now and then starts
 * a new snapshot. Writes stamp TIMESTAMP(0) from the server clock, so bursts share a
 * second with each other and with the ceiling (ties everywhere, and rows stamped
 * exactly at the ceiling). After the writers stop and a second has passed, runs until
 * an incremental one is empty must leave the model equal to the table, row for row.
 */
async function checkInterleaving(strategy: CdcStrategy, steps: readonly Step[]): Promise<void> {
  const table = uniqueTableName(`prop_${strategy.name}`);
  await admin.query(`CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, KEY (updated_at))
    AUTO_INCREMENT = 1000`);
  try {
    const spec = (await source.describeTable({ schema: mysql.database, table }))._unsafeUnwrap();
    const warehouse = new Map<string, string>();
    let watermark: Watermark = { after: null, snapshot: null };
    let early = 1000;
    let snapshotRuns = 0;
    /** One run; true when it changed the watermark (rows taken, or a snapshot completed). */
    const sync = async (pageSize: number, limit: number | null): Promise<boolean> => {
      const plan = await planWith(source, strategy, spec, { pageSize, limit, ...watermark });
      const { rows, exhausted, snapshotEnd } = await extractAll(source, spec, plan);
      if (plan.snapshot) snapshotRuns += 1;
      for (const row of rows) warehouse.set(text(row[0]), `${text(row[1])}@${text(row[2])}`);
      const next = advanceWatermark(strategy, {
        plan,
        spec,
        lastRow: (rows[rows.length - 1] as SourceValue[] | undefined) ?? null,
        rows: rows.length,
        complete: exhausted,
        ...(snapshotEnd !== undefined ? { snapshotEnd } : {}),
      });
      // As the pipeline: an empty run leaves the watermark alone, unless it found a
      // stored snapshot complete (then it moves to the ceiling without rows).
      const stored = watermark.after !== null || watermark.snapshot !== null;
      if (rows.length === 0 && !(plan.snapshot && next.snapshot === null && stored)) return false;
      watermark = { after: next.position, snapshot: next.snapshot };
      return true;
    };
    for (const next of steps) {
      if (next.kind === "insert") {
        await admin.query(`INSERT INTO ${table} (v) SELECT seq FROM seq_1_to_${next.rows}`);
      } else if (next.kind === "insert-early") {
        // Keys below every existing one: behind any snapshot position.
        const ids = Array.from({ length: next.rows }, () => (early -= 1));
        await admin.query(`INSERT INTO ${table} (id, v) VALUES ${ids.map((id) => `(${id}, 0)`).join(", ")}`);
      } else if (next.kind === "update") {
        await admin.query(`UPDATE ${table} SET v = v + 1 WHERE id % ${next.every} = 0`);
      } else if (next.kind === "reset") {
        watermark = { after: null, snapshot: null };
      } else {
        await sync(next.pageSize, next.limit);
      }
    }
    // Quiet: the last writes' second is over, so it is below the next ceiling.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    for (let run = 0; run < 500 && (await sync(17, 40)); run += 1) {}
    expect(watermark.snapshot).toBeNull();
    expect(snapshotRuns).toBeGreaterThan(0);
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
        fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 16 }), (steps) =>
          checkInterleaving(strategy, steps),
        ),
        { numRuns: 6, endOnFailure: true },
      );
    }, 180_000);
  }
});
