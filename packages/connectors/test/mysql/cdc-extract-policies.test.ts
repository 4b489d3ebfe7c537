import {
  fullSnapshotStrategy,
  hybridKeysetStrategy,
  idKeysetStrategy,
  positionOfRow,
  timestampStrategy,
} from "@sluice/cdc-strategies";
import type { CursorPosition, TableSpec } from "@sluice/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openMysqlSource } from "../../src/index.js";
import type { MysqlSource } from "../../src/mysql/mysql-source.js";
import { extractAll, planWith, text } from "./cdc-plan-fixture.js";
import { adminConnection, clientRows, uniqueTableName } from "./mariadb-test-database.js";

const mysql = inject("sluiceServices").mysql;
const ties = uniqueTableName("cdc_ties");
const nullable = uniqueTableName("cdc_nulls");
const sparse = uniqueTableName("cdc_sparse");
const snapshot = uniqueTableName("cdc_snapshot");
const heap = uniqueTableName("cdc_heap");
let source: MysqlSource;

beforeAll(async () => {
  const admin = await adminConnection(mysql);
  // 300 rows over 23 distinct stamps: groups of ~13 equal cursor values, ids scattered.
  await admin.query(`CREATE TABLE ${ties} (id INT PRIMARY KEY, v INT NOT NULL, updated_at DATETIME(6) NOT NULL, KEY ix_ties_u (updated_at));
    INSERT INTO ${ties} SELECT seq, seq * 3, TIMESTAMP('2025-01-01') + INTERVAL ((seq * 7919) % 23) SECOND + INTERVAL 250 MICROSECOND FROM seq_1_to_300;`);
  await admin.query(`CREATE TABLE ${nullable} (id INT PRIMARY KEY, updated_at TIMESTAMP(3) NULL DEFAULT NULL, KEY ix_nulls_u (updated_at));
    INSERT INTO ${nullable} VALUES (5, NULL), (1, '2024-03-01 00:00:00.500'), (3, NULL), (2, '2024-02-01 00:00:00'), (9, NULL), (4, '2024-02-01 00:00:00'), (11, NULL), (7, '2024-04-01 00:00:00');`);
  await admin.query(`CREATE TABLE ${sparse} (id BIGINT UNSIGNED PRIMARY KEY, note VARCHAR(20));
    INSERT INTO ${sparse} VALUES (1, 'a'), (2, 'b'), (1000000000, 'c'), (1000000000000, 'd'), (1000000000001, 'e'), (9223372036854775807, 'f'), (18446744073709551615, 'g');`);
  await admin.query(`CREATE TABLE ${snapshot} (id INT PRIMARY KEY, note VARCHAR(10));
    INSERT INTO ${snapshot} SELECT seq * 10, CONCAT('n', seq) FROM seq_1_to_50;`);
  await admin.query(
    `CREATE TABLE ${heap} (note VARCHAR(10), n INT); INSERT INTO ${heap} VALUES ('x', 1), ('x', 1), ('y', 2);`,
  );
  await admin.end();
  source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
});

afterAll(async () => {
  await source?.close();
  const admin = await adminConnection(mysql);
  await admin.query(`DROP TABLE IF EXISTS ${ties}, ${nullable}, ${sparse}, ${snapshot}, ${heap}`);
  await admin.end();
});

const spec = async (table: string): Promise<TableSpec> =>
  (await source.describeTable({ schema: mysql.database, table }))._unsafeUnwrap();

describe("timestamp strategy: cursor-groups paging with boundary de-duplication", () => {
  it("takes every row exactly once across pages that split groups of equal stamps", async () => {
    const table = await spec(ties);
    const expected = await clientRows(mysql, `SELECT id FROM ${ties} ORDER BY id`);
    for (const pageSize of [1, 5, 13, 64, 1000]) {
      const plan = await planWith(source, timestampStrategy, table, { pageSize, initialSnapshot: false });
      const { rows, statements } = await extractAll(source, table, plan);
      const ids = rows.map((row) => text(row[0]));
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort((a, b) => Number(a) - Number(b))).toEqual(expected.map((row) => row[0]));
      // Cursor order is kept: stamps never go backwards.
      const stamps = rows.map((row) => text(row[2]));
      expect(stamps).toEqual([...stamps].sort());
      expect(statements.every((statement) => !/ORDER BY `updated_at`, /.test(statement.sql))).toBe(true);
    }
  });

  it("ends a limited run on a complete group and the next run continues at cursor > last, no gap, no repeat", async () => {
    const table = await spec(ties);
    const all = new Set((await clientRows(mysql, `SELECT id FROM ${ties}`)).map((row) => row[0]));
    const seen: string[] = [];
    let after: CursorPosition | null = null;
    let runs = 0;
    for (; runs < 100; runs += 1) {
      const plan = await planWith(source, timestampStrategy, table, {
        pageSize: 4,
        limit: 10,
        after,
        initialSnapshot: false,
      });
      const { rows } = await extractAll(source, table, plan);
      if (rows.length === 0) break;
      // The run may exceed the limit only to finish the last group of equal stamps.
      const last = text(rows[rows.length - 1]?.[2]);
      const [groupSize] = (
        await clientRows(mysql, `SELECT COUNT(*) FROM ${ties} WHERE updated_at = '${last}'`)
      )[0] as [string];
      expect(rows.length).toBeLessThan(10 + Number(groupSize));
      const taken = rows.filter((row) => text(row[2]) === last).length;
      expect(taken).toBe(Number(groupSize));
      seen.push(...rows.map((row) => text(row[0])));
      after = positionOfRow(plan, table, rows[rows.length - 1] ?? []);
      expect(after.keyValues).toEqual([]);
    }
    expect(runs).toBeGreaterThan(5);
    expect(seen).toHaveLength(all.size);
    expect(new Set(seen)).toEqual(all);
  });
});

describe("NULL cursor policies", () => {
  it("skip: leaves NULL cursors out, counts them and warns", async () => {
    const table = await spec(nullable);
    const plan = await planWith(source, hybridKeysetStrategy, table, { pageSize: 2, initialSnapshot: false });
    expect(plan.nullCursor).toBe("skip");
    const { rows, nullCursorRows, warnings } = await extractAll(source, table, plan);
    expect(rows.map((row) => text(row[0]))).toEqual(["2", "4", "1", "7"]);
    expect(nullCursorRows).toBe(4);
    expect(warnings.join("\n")).toContain(
      "4 row(s) have NULL updated_at and are not copied (--null-cursor skip)",
    );
  });

  it("oldest: re-reads every NULL cursor first, in key order, on every run, and leaves the position to dated rows", async () => {
    const table = await spec(nullable);
    const first = await planWith(source, hybridKeysetStrategy, table, {
      pageSize: 2,
      nullCursor: "oldest",
      initialSnapshot: false,
    });
    const run1 = await extractAll(source, table, first);
    expect(run1.rows.map((row) => text(row[0]))).toEqual(["3", "5", "9", "11", "2", "4", "1", "7"]);
    expect(run1.nullCursorRows).toBe(4);
    const after = positionOfRow(first, table, run1.rows[5] ?? []);
    expect(after).toEqual({ cursorValue: "2024-02-01 00:00:00.000", keyValues: ["4"] });
    const second = await planWith(source, hybridKeysetStrategy, table, {
      pageSize: 3,
      nullCursor: "oldest",
      after,
    });
    const run2 = await extractAll(source, table, second);
    expect(run2.rows.map((row) => text(row[0]))).toEqual(["3", "5", "9", "11", "1", "7"]);
    const timestampPlan = await planWith(source, timestampStrategy, table, {
      pageSize: 1,
      nullCursor: "oldest",
      initialSnapshot: false,
    });
    const run3 = await extractAll(source, table, timestampPlan);
    expect(run3.rows.map((row) => text(row[0])).slice(0, 4)).toEqual(["3", "5", "9", "11"]);
    expect(run3.rows).toHaveLength(8);
  });
});

describe("--max-chunks", () => {
  it("stops after M page queries exactly on a row; the next run continues with no gap and no repeat", async () => {
    const table = await spec(ties);
    const expected = (await clientRows(mysql, `SELECT id FROM ${ties} ORDER BY updated_at, id`)).map(
      (row) => row[0],
    );
    const seen: string[] = [];
    let after: CursorPosition | null = null;
    for (let run = 0; run < 50; run += 1) {
      const plan = await planWith(source, hybridKeysetStrategy, table, {
        pageSize: 9,
        maxChunks: 3,
        after,
        initialSnapshot: false,
      });
      const { rows, statements } = await extractAll(source, table, plan);
      if (rows.length === 0) break;
      const pages = statements.filter((statement) => statement.sql.includes("LIMIT"));
      expect(pages.length).toBeLessThanOrEqual(3);
      if (seen.length + rows.length < expected.length) expect(rows).toHaveLength(27);
      seen.push(...rows.map((row) => text(row[0])));
      after = positionOfRow(plan, table, rows[rows.length - 1] ?? []);
    }
    expect(seen).toEqual(expected);
  });
});

describe("id strategy on sparse ids", () => {
  it("reads 1, 2, 10^9, 10^12 ... 2^64-1 in one query per page, never one per empty span, bounded by the key ceiling", async () => {
    const table = await spec(sparse);
    const expected = (await clientRows(mysql, `SELECT id FROM ${sparse} ORDER BY id`)).map((row) => row[0]);
    const plan = await planWith(source, idKeysetStrategy, table, { pageSize: 2 });
    expect(plan.keyCeiling).toEqual(["18446744073709551615"]);
    const { rows, statements } = await extractAll(source, table, plan);
    expect(rows.map((row) => text(row[0]))).toEqual(expected);
    // 7 rows, pages of 2: 4 queries (the last page ends on the key ceiling: no empty query).
    expect(statements).toHaveLength(4);
  });

  it("leaves rows inserted after planning (above the key ceiling) for the next run, and resumes from the last id", async () => {
    const table = await spec(sparse);
    const admin = await adminConnection(mysql);
    try {
      await admin.query(`DELETE FROM ${sparse} WHERE id > 1000000000001`);
      const after = { cursorValue: null, keyValues: ["2"] };
      const plan = await planWith(source, idKeysetStrategy, table, { pageSize: 1, after });
      expect(plan.keyCeiling).toEqual(["1000000000001"]);
      // Inserted while the run goes: above the ceiling, so the next run's.
      await admin.query(`INSERT INTO ${sparse} VALUES (1000000000002, 'late'), (9223372036854775807, 'f')`);
      const { rows, statements } = await extractAll(source, table, plan);
      expect(rows.map((row) => text(row[0]))).toEqual(["1000000000", "1000000000000", "1000000000001"]);
      expect(statements).toHaveLength(3);
      const next = await planWith(source, idKeysetStrategy, table, {
        pageSize: 1,
        after: positionOfRow(plan, table, rows[2] ?? []),
      });
      const rest = await extractAll(source, table, next);
      expect(rest.rows.map((row) => text(row[0]))).toEqual(["1000000000002", "9223372036854775807"]);
    } finally {
      await admin.query(`DELETE FROM ${sparse} WHERE id = 1000000000002`);
      await admin.query(
        `INSERT IGNORE INTO ${sparse} VALUES (9223372036854775807, 'f'), (18446744073709551615, 'g')`,
      );
      await admin.end();
    }
  });
});

describe("full strategy", () => {
  it("reads one consistent snapshot: a row committed mid-run below the key ceiling is not half-seen", async () => {
    const table = await spec(snapshot);
    const plan = await planWith(source, fullSnapshotStrategy, table, { pageSize: 10 });
    expect(plan.keyCeiling).toEqual(["500"]);
    const admin = await adminConnection(mysql);
    const ids: string[] = [];
    try {
      let pages = 0;
      for await (const batch of source.extract(table, plan, { batchRows: 10 })) {
        ids.push(...batch.rows.map((row) => text(row[0])));
        pages += 1;
        if (pages === 1) {
          await admin.query(`INSERT INTO ${snapshot} VALUES (255, 'mid'), (5, 'early')`);
          await admin.query(`DELETE FROM ${snapshot} WHERE id = 490`);
        }
      }
      expect(ids).toHaveLength(50);
      expect(ids).not.toContain("255");
      expect(ids).toContain("490");
    } finally {
      await admin.query(`DELETE FROM ${snapshot} WHERE id IN (255, 5)`);
      await admin.query(`INSERT IGNORE INTO ${snapshot} VALUES (490, 'n49')`);
      await admin.end();
    }
  });

  it("reads a table without a primary key in one streamed query, duplicates included", async () => {
    const table = await spec(heap);
    const plan = await planWith(source, fullSnapshotStrategy, table, {});
    const { rows, statements } = await extractAll(source, table, plan);
    expect(rows.map((row) => row.map(text).join(":")).sort()).toEqual(["x:1", "x:1", "y:2"]);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.sql).not.toContain("LIMIT");
  });
});
