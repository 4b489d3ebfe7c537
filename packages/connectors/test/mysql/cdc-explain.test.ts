import type { CdcStrategy, PlanInput } from "@sluice/cdc-strategies";
import {
  advanceWatermark,
  fullSnapshotStrategy,
  hybridKeysetStrategy,
  idKeysetStrategy,
  positionOfRow,
  timestampStrategy,
} from "@sluice/cdc-strategies";
import type { TableSpec } from "@sluice/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openMysqlSource } from "../../src/index.js";
import { lastKeyUpToQuery, type SqlStatement } from "../../src/mysql/keyset-query.js";
import type { MysqlSource } from "../../src/mysql/mysql-source.js";
import { extractAll, planWith } from "./cdc-plan-fixture.js";
import { adminConnection, uniqueTableName } from "./mariadb-test-database.js";

const mysql = inject("sluiceServices").mysql;
const orders = uniqueTableName("cdc_explain");
let source: MysqlSource;

beforeAll(async () => {
  const admin = await adminConnection(mysql);
  // 6000 rows; 1 in 50 with a NULL cursor; stamps shared by ~4 rows.
  await admin.query(`CREATE TABLE ${orders} (
      id INT NOT NULL PRIMARY KEY, customer INT NOT NULL, note VARCHAR(40) NOT NULL,
      updated_at DATETIME(6) NULL, KEY ix_explain_updated (updated_at)) DEFAULT CHARSET=utf8mb4;
    INSERT INTO ${orders} SELECT seq, seq % 97, CONCAT('note ', seq),
      IF(seq % 50 = 0, NULL, TIMESTAMP('2025-01-01') + INTERVAL (seq DIV 4) SECOND) FROM seq_1_to_6000;
    ANALYZE TABLE ${orders};`);
  await admin.end();
  source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
});

afterAll(async () => {
  await source?.close();
  const admin = await adminConnection(mysql);
  await admin.query(`DROP TABLE IF EXISTS ${orders}`);
  await admin.end();
});

interface ExplainRow {
  readonly type: string;
  readonly key: string | null;
  readonly rows: string | number | null;
  readonly Extra: string | null;
}

async function explain(statement: SqlStatement): Promise<ExplainRow[]> {
  const admin = await adminConnection(mysql);
  try {
    const [rows] = await admin.query({ sql: `EXPLAIN ${statement.sql}`, values: statement.values });
    return rows as ExplainRow[];
  } finally {
    await admin.end();
  }
}

/** A first run (in cursor order) and a run resumed from the middle, every statement of both. */
async function statementsOf(strategy: CdcStrategy, spec: TableSpec, extra: Partial<PlanInput>) {
  const first = await planWith(source, strategy, spec, { pageSize: 500, initialSnapshot: false, ...extra });
  const run = await extractAll(source, spec, first);
  const middle = run.rows[Math.floor(run.rows.length / 2)] ?? [];
  const resumed = await planWith(source, strategy, spec, {
    pageSize: 500,
    initialSnapshot: false,
    ...extra,
    after: strategy.advance ? null : positionOfRow(first, spec, middle),
  });
  const rest = await extractAll(source, spec, resumed);
  return [...run.statements, ...rest.statements];
}

const cases: [string, CdcStrategy, Partial<PlanInput>, string][] = [
  ["hybrid, NULL cursors skipped and counted", hybridKeysetStrategy, {}, "ix_explain_updated"],
  [
    "hybrid, NULL cursors re-read first",
    hybridKeysetStrategy,
    { nullCursor: "oldest" },
    "ix_explain_updated",
  ],
  ["timestamp, tie groups completed", timestampStrategy, {}, "ix_explain_updated"],
  [
    "timestamp, --limit and NULL pass",
    timestampStrategy,
    { limit: 1200, nullCursor: "oldest" },
    "ix_explain_updated",
  ],
  ["id, bounded by the key ceiling", idKeysetStrategy, {}, "PRIMARY"],
  ["full, on the primary key", fullSnapshotStrategy, {}, "PRIMARY"],
];

describe("every extraction query is an index range scan (EXPLAIN on MariaDB)", () => {
  for (const [label, strategy, extra, key] of cases) {
    it(`${label}: range/ref on ${key}, no filesort`, async () => {
      const spec = (await source.describeTable({ schema: mysql.database, table: orders }))._unsafeUnwrap();
      const statements = await statementsOf(strategy, spec, extra);
      expect(statements.length).toBeGreaterThan(2);
      for (const statement of statements) {
        const plans = await explain(statement);
        expect(plans, statement.sql).toHaveLength(1);
        const [plan] = plans as [ExplainRow];
        expect(["range", "ref", "ref_or_null"], `${plan.type} for ${statement.sql}`).toContain(plan.type);
        expect(plan.key, statement.sql).toBe(key);
        expect(plan.Extra ?? "", statement.sql).not.toContain("filesort");
      }
    });
  }
});

/**
 * An initial snapshot cut by --limit, resumed to its end (with its end probe), then the
 * first incremental run: every statement of the three runs.
 */
async function snapshotStatements(strategy: CdcStrategy, spec: TableSpec, extra: Partial<PlanInput>) {
  const statements: SqlStatement[] = [];
  const first = await planWith(source, strategy, spec, { pageSize: 500, limit: 1800, ...extra });
  expect(first.snapshot).toEqual({ keyColumns: ["id"], afterKey: null });
  const run1 = await extractAll(source, spec, first);
  statements.push(...run1.statements);
  const advance = (plan: typeof first, run: typeof run1) =>
    advanceWatermark(strategy, {
      plan,
      spec,
      lastRow: run.rows.filter((row) => row[3] !== null).at(-1) ?? null,
      rows: run.rows.length,
      complete: run.exhausted,
      ...(run.snapshotEnd !== undefined ? { snapshotEnd: run.snapshotEnd } : {}),
    });
  const cut = advance(first, run1);
  expect(cut.snapshot?.afterKey).not.toBeNull();
  const rest = await planWith(source, strategy, spec, { pageSize: 500, ...extra, snapshot: cut.snapshot });
  const run2 = await extractAll(source, spec, rest);
  statements.push(...run2.statements);
  const done = advance(rest, run2);
  expect(done.snapshot).toBeNull();
  // The largest dated row: stamps run up to seq 5999 (6000 has a NULL cursor).
  expect(done.position?.cursorValue).toBe("2025-01-01 00:24:59.000000");
  const incremental = await planWith(source, strategy, spec, {
    pageSize: 500,
    ...extra,
    after: done.position,
  });
  expect(incremental.snapshot).toBeUndefined();
  statements.push(...(await extractAll(source, spec, incremental)).statements);
  return statements;
}

const snapshotCases: [string, CdcStrategy, Partial<PlanInput>][] = [
  ["hybrid, NULL cursors skipped", hybridKeysetStrategy, {}],
  ["hybrid, NULL cursors re-read first", hybridKeysetStrategy, { nullCursor: "oldest" }],
  ["timestamp, NULL cursors re-read first", timestampStrategy, { nullCursor: "oldest" }],
];

describe("initial snapshot: pages are primary-key range scans, the other statements use the cursor index (EXPLAIN on MariaDB)", () => {
  for (const [label, strategy, extra] of snapshotCases) {
    it(`${label}: snapshot pages on PRIMARY, NULL pass and incremental run on ix_explain_updated, no filesort`, async () => {
      const spec = (await source.describeTable({ schema: mysql.database, table: orders }))._unsafeUnwrap();
      const statements = await snapshotStatements(strategy, spec, extra);
      const pages = statements.filter((statement) => statement.sql.includes("FORCE INDEX (PRIMARY)"));
      // 1800 rows in pages of 500, then the rest of ~5880 dated rows: 4 + 8 pages.
      expect(pages.length).toBeGreaterThanOrEqual(10);
      expect(statements.length).toBeGreaterThan(pages.length);
      for (const statement of statements) {
        const plans = await explain(statement);
        expect(plans, statement.sql).toHaveLength(1);
        const [plan] = plans as [ExplainRow];
        expect(plan.Extra ?? "", statement.sql).not.toContain("filesort");
        if (!pages.includes(statement)) {
          expect(["range", "ref", "ref_or_null"], `${plan.type} for ${statement.sql}`).toContain(plan.type);
          expect(plan.key, statement.sql).toBe("ix_explain_updated");
          continue;
        }
        expect(plan.key, statement.sql).toBe("PRIMARY");
        if (/`id` > /.test(statement.sql)) {
          expect(plan.type, statement.sql).toBe("range");
        } else {
          // The first page has no key bound: the clustered index read from its first
          // entry in order, stopping at the LIMIT (EXPLAIN's rows say so).
          expect(plan.type, statement.sql).toBe("index");
          expect(Number(plan.rows), statement.sql).toBeLessThanOrEqual(500);
        }
      }
    });
  }
});

describe("the probe that ends a snapshot range of a composite key (Source.lastKeyUpTo)", () => {
  const lines = uniqueTableName("cdc_explain_lines");
  beforeAll(async () => {
    const admin = await adminConnection(mysql);
    await admin.query(`CREATE TABLE ${lines} (
        order_id INT NOT NULL, line INT NOT NULL, updated_at DATETIME(6) NOT NULL,
        PRIMARY KEY (order_id, line), KEY ix_lines_updated (updated_at)) DEFAULT CHARSET=utf8mb4;
      INSERT INTO ${lines} SELECT o.seq * 10, l.seq, TIMESTAMP('2025-01-01') + INTERVAL o.seq SECOND
        FROM seq_1_to_2000 AS o JOIN seq_1_to_3 AS l;
      ANALYZE TABLE ${lines};`);
    await admin.end();
  });
  afterAll(async () => {
    const admin = await adminConnection(mysql);
    await admin.query(`DROP TABLE IF EXISTS ${lines}`);
    await admin.end();
  });

  it("returns the last tuple at or below the cut, after the bound, by a backward range read of PRIMARY", async () => {
    const spec = (await source.describeTable({ schema: mysql.database, table: lines }))._unsafeUnwrap();
    const keys = ["order_id", "line"];
    // Order ids are multiples of 10: the last tuple with order_id <= 10,005 is (10000, 3).
    expect((await source.lastKeyUpTo(spec, keys, null, "10005"))._unsafeUnwrap()).toEqual(["10000", "3"]);
    expect((await source.lastKeyUpTo(spec, keys, ["9990", "1"], "10000"))._unsafeUnwrap()).toEqual([
      "10000",
      "3",
    ]);
    // Nothing after the bound up to the cut: null, never a tuple at or before the bound.
    expect((await source.lastKeyUpTo(spec, keys, ["10000", "3"], "10009"))._unsafeUnwrap()).toBeNull();
    expect((await source.lastKeyUpTo(spec, keys, null, "5"))._unsafeUnwrap()).toBeNull();

    const [plan] = (await explain(lastKeyUpToQuery(spec, keys, ["9990", "1"], "15000"))) as [ExplainRow];
    expect(plan.key).toBe("PRIMARY");
    expect(plan.type).toBe("range");
    expect(plan.Extra ?? "").not.toContain("filesort");
  });
});
