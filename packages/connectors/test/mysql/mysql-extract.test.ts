import type { CursorPosition, ExtractPlan, SourceValue, TableSpec } from "@sluice/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openMysqlSource } from "../../src/index.js";
import { keysetPageQuery } from "../../src/mysql/keyset-query.js";
import type { MysqlSource } from "../../src/mysql/mysql-source.js";
import { adminConnection, clientRows, uniqueTableName } from "./mariadb-test-database.js";

const mysql = inject("sluiceServices").mysql;
const events = uniqueTableName("extract_events");
const nullable = uniqueTableName("extract_nullable");
const bigKeys = uniqueTableName("extract_bigkeys");
const composite = uniqueTableName("extract_composite");
const rowCount = 20_000;
let source: MysqlSource;

beforeAll(async () => {
  const admin = await adminConnection(mysql);
  await admin.query(`CREATE TABLE ${events} (
      id INT NOT NULL PRIMARY KEY,
      payload VARCHAR(40) NOT NULL,
      amount DECIMAL(12,2) NULL,
      updated_at DATETIME(6) NOT NULL,
      KEY ix_events_cursor (updated_at, id)
    ) DEFAULT CHARSET=utf8mb4`);
  // ~3000 distinct timestamps for 20 000 rows: every timestamp is shared by several
  // rows whose ids are scattered, so keyset pages of 1000 split groups of equal stamps.
  const rows = Array.from({ length: rowCount }, (_, index) => {
    const id = index + 1;
    const second = (id * 7919) % 3000;
    return [id, `p${id}`, id % 10 === 0 ? null : `${id}.${String(id % 100).padStart(2, "0")}`, second];
  });
  for (let start = 0; start < rows.length; start += 2000) {
    const chunk = rows.slice(start, start + 2000);
    await admin.query(
      `INSERT INTO ${events} (id, payload, amount, updated_at) VALUES ${chunk.map(() => "(?, ?, ?, TIMESTAMP('2024-01-01 00:00:00') + INTERVAL ? SECOND)").join(", ")}`,
      chunk.flat(),
    );
  }
  await admin.query(`CREATE TABLE ${nullable} (
      id INT NOT NULL PRIMARY KEY, updated_at TIMESTAMP(3) NULL DEFAULT NULL, KEY ix_nullable (updated_at, id))`);
  await admin.query(
    `INSERT INTO ${nullable} VALUES (5, NULL), (1, '2024-03-01 00:00:00.500'), (3, NULL), (2, '2024-02-01 00:00:00'), (9, NULL), (4, '2024-02-01 00:00:00')`,
  );
  await admin.query(`CREATE TABLE ${bigKeys} (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, note VARCHAR(10))`);
  await admin.query(
    `INSERT INTO ${bigKeys} VALUES (18446744073709551615, 'max'), (9007199254740993, 'a'), (9007199254740992, 'b'), (9007199254740994, 'c'), (1, 'one')`,
  );
  await admin.query(`CREATE TABLE ${composite} (
      tenant INT NOT NULL, seq INT NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (tenant, seq),
      KEY ix_composite (updated_at, tenant, seq))`);
  const compositeRows = Array.from({ length: 600 }, (_, index) => [index % 7, index, index % 5]);
  await admin.query(
    `INSERT INTO ${composite} VALUES ${compositeRows.map(() => "(?, ?, TIMESTAMP('2024-01-01') + INTERVAL ? HOUR)").join(", ")}`,
    compositeRows.flat(),
  );
  await admin.end();
  source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
});

afterAll(async () => {
  await source?.close();
  const admin = await adminConnection(mysql);
  await admin.query(`DROP TABLE IF EXISTS ${events}, ${nullable}, ${bigKeys}, ${composite}`);
  await admin.end();
});

async function describe_(table: string): Promise<TableSpec> {
  return (await source.describeTable({ schema: mysql.database, table }))._unsafeUnwrap();
}

/** Plans written out by hand (the planners live in @sluice/cdc-strategies and have their own tests). */
function hybridPlan(
  spec: TableSpec,
  extra: {
    after?: CursorPosition | null;
    ceiling?: string | null;
    limit?: number | null;
    pageSize?: number;
  } = {},
): ExtractPlan {
  return {
    table: spec.ref,
    strategy: "hybrid",
    cursorColumn: "updated_at",
    keyColumns: spec.primaryKey,
    after: extra.after ?? null,
    ceiling: extra.ceiling ?? null,
    limit: extra.limit ?? null,
    pageSize: extra.pageSize ?? 1000,
  };
}

async function collect(
  spec: TableSpec,
  plan: ExtractPlan,
  batchRows = 10_000,
): Promise<{ rows: SourceValue[][]; batchSizes: number[] }> {
  const rows: SourceValue[][] = [];
  const batchSizes: number[] = [];
  for await (const batch of source.extract(spec, plan, { batchRows })) {
    batchSizes.push(batch.rows.length);
    rows.push(...(batch.rows as SourceValue[][]));
  }
  return { rows, batchSizes };
}

/** Rows as the mariadb client prints them: id, payload, amount (or NULL), updated_at. */
const asClientText = (rows: SourceValue[][]): string[][] =>
  rows.map((row) => row.map((value) => (value === null ? "NULL" : String(value))));

describe("MysqlSource.extract (hybrid keyset)", () => {
  it("returns every row exactly once in (updated_at, id) order across 1000-row pages", async () => {
    const spec = await describe_(events);
    const expected = await clientRows(
      mysql,
      `SELECT id, payload, amount, updated_at FROM ${events} ORDER BY updated_at, id`,
    );
    expect(expected).toHaveLength(rowCount);
    const { rows, batchSizes } = await collect(spec, hybridPlan(spec), 300);
    expect(asClientText(rows)).toEqual(expected);
    expect(new Set(rows.map((row) => row[0])).size).toBe(rowCount);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(300);
  });

  it("cuts batches by approximate value bytes as well as rows, losing and repeating no row", async () => {
    const spec = await describe_(events);
    const expected = await clientRows(
      mysql,
      `SELECT id, payload, amount, updated_at FROM ${events} ORDER BY updated_at, id`,
    );
    const rows: SourceValue[][] = [];
    const batchSizes: number[] = [];
    // ~60 bytes a row: 6 KiB cuts a batch at ~100 rows, long before the 10,000-row cap.
    for await (const batch of source.extract(spec, hybridPlan(spec), {
      batchRows: 10_000,
      batchBytes: 6 * 1024,
    })) {
      batchSizes.push(batch.rows.length);
      const bytes = batch.rows
        .slice(0, -1)
        .reduce(
          (sum, row) => sum + row.reduce<number>((n, v) => n + (typeof v === "string" ? v.length : 8), 0),
          0,
        );
      expect(bytes).toBeLessThan(6 * 1024);
      rows.push(...(batch.rows as SourceValue[][]));
    }
    expect(asClientText(rows)).toEqual(expected);
    expect(Math.max(...batchSizes)).toBeLessThan(200);
    expect(batchSizes.length).toBeGreaterThan(rowCount / 200);
  });

  it("resumes strictly after a position in the middle of a group of equal timestamps", async () => {
    const spec = await describe_(events);
    const expected = await clientRows(
      mysql,
      `SELECT id, payload, amount, updated_at FROM ${events} ORDER BY updated_at, id`,
    );
    // A row whose successor shares its timestamp, so the resume must split the group.
    const middle = expected.findIndex((row, index) => index > 9000 && expected[index + 1]?.[3] === row[3]);
    const at = expected[middle] as string[];
    const after: CursorPosition = { cursorValue: at[3] as string, keyValues: [at[0] as string] };
    const { rows } = await collect(spec, hybridPlan(spec, { after }));
    expect(asClientText(rows)).toEqual(expected.slice(middle + 1));
  });

  it("excludes rows at and after the ceiling", async () => {
    const spec = await describe_(events);
    const ceiling = "2024-01-01 00:25:00.000000";
    const expected = await clientRows(
      mysql,
      `SELECT id, payload, amount, updated_at FROM ${events} WHERE updated_at < '${ceiling}' ORDER BY updated_at, id`,
    );
    const atCeiling = await clientRows(
      mysql,
      `SELECT COUNT(*) FROM ${events} WHERE updated_at = '${ceiling}'`,
    );
    expect(Number(atCeiling[0]?.[0])).toBeGreaterThan(0);
    const plan = hybridPlan(spec, { ceiling });
    const { rows } = await collect(spec, plan);
    expect(asClientText(rows)).toEqual(expected);
    expect((await source.countRows(spec, plan))._unsafeUnwrap()).toBe(expected.length);
  });

  it("stops exactly at the limit, mid-page", async () => {
    const spec = await describe_(events);
    const expected = await clientRows(
      mysql,
      `SELECT id, payload, amount, updated_at FROM ${events} ORDER BY updated_at, id LIMIT 2500`,
    );
    const { rows } = await collect(spec, hybridPlan(spec, { limit: 2500 }), 700);
    expect(asClientText(rows)).toEqual(expected);
  });

  it("counts all rows or the rows within a plan's bounds", async () => {
    const spec = await describe_(events);
    const expected = await clientRows(mysql, `SELECT id, updated_at FROM ${events} ORDER BY updated_at, id`);
    expect((await source.countRows(spec))._unsafeUnwrap()).toBe(rowCount);
    const at = expected[12_345] as string[];
    const plan = hybridPlan(spec, { after: { cursorValue: at[1] as string, keyValues: [at[0] as string] } });
    expect((await source.countRows(spec, plan))._unsafeUnwrap()).toBe(rowCount - 12_346);
  });

  it("uses the (updated_at, id) index as a range for a page query", async () => {
    const spec = await describe_(events);
    const expected = await clientRows(mysql, `SELECT id, updated_at FROM ${events} ORDER BY updated_at, id`);
    const at = expected[5000] as string[];
    const plan = hybridPlan(spec, {
      after: { cursorValue: at[1] as string, keyValues: [at[0] as string] },
      ceiling: "2024-01-01 00:40:00.000000",
    });
    const page = keysetPageQuery(spec, plan, { cursor: at[1] as string, keys: [at[0] as string] }, 1000);
    expect(page.sql).not.toMatch(/\)\s*>\s*\(/); // not the row-constructor form
    const admin = await adminConnection(mysql);
    try {
      const [explained] = await admin.query({ sql: `EXPLAIN ${page.sql}`, values: page.values });
      const plans = explained as { key: string | null; type: string; Extra: string | null }[];
      expect(plans).toHaveLength(1);
      expect(plans[0]?.key).toBe("ix_events_cursor");
      expect(plans[0]?.type).toBe("range");
      expect(plans[0]?.Extra ?? "").not.toContain("filesort");
    } finally {
      await admin.end();
    }
  });

  it("takes NULL cursors first on a first run and resumes inside the NULL group", async () => {
    const spec = await describe_(nullable);
    const expected = await clientRows(
      mysql,
      `SELECT id, updated_at FROM ${nullable} ORDER BY updated_at, id`,
    );
    expect(expected.map((row) => row[0])).toEqual(["3", "5", "9", "2", "4", "1"]);
    const first = await collect(spec, hybridPlan(spec, { pageSize: 2, ceiling: "2030-01-01 00:00:00.000" }));
    expect(asClientText(first.rows)).toEqual(expected);
    const resumed = await collect(
      spec,
      hybridPlan(spec, { pageSize: 2, after: { cursorValue: null, keyValues: ["5"] } }),
    );
    expect(asClientText(resumed.rows)).toEqual(expected.slice(2));
    const dated = await collect(
      spec,
      hybridPlan(spec, { after: { cursorValue: "2024-02-01 00:00:00.000", keyValues: ["2"] } }),
    );
    expect(asClientText(dated.rows)).toEqual(expected.slice(4));
  });

  it("warns when an incremental run cannot see rows with a NULL cursor", async () => {
    const spec = await describe_(nullable);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
    const plan = hybridPlan(spec, { after: { cursorValue: "2024-02-01 00:00:00.000", keyValues: ["2"] } });
    for await (const _ of source.extract(spec, plan, { logger })) {
      // drain
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${mysql.database}.${nullable}: 3 row(s) have NULL updated_at`);
  });

  it("expands a composite key lexicographically", async () => {
    const spec = await describe_(composite);
    const expected = await clientRows(
      mysql,
      `SELECT tenant, seq, updated_at FROM ${composite} ORDER BY updated_at, tenant, seq`,
    );
    const { rows } = await collect(spec, hybridPlan(spec, { pageSize: 37 }));
    expect(asClientText(rows)).toEqual(expected);
    const at = expected[250] as string[];
    const resumed = await collect(
      spec,
      hybridPlan(spec, {
        pageSize: 37,
        after: { cursorValue: at[2] as string, keyValues: [at[0] as string, at[1] as string] },
      }),
    );
    expect(asClientText(resumed.rows)).toEqual(expected.slice(251));
  });
});

describe("MysqlSource.extract (id keyset)", () => {
  it("pages exactly over BIGINT UNSIGNED keys beyond 2^53", async () => {
    const spec = await describe_(bigKeys);
    const expected = await clientRows(mysql, `SELECT id, note FROM ${bigKeys} ORDER BY id`);
    const plan = (after: CursorPosition | null): ExtractPlan => ({
      ...hybridPlan(spec, { after, pageSize: 1 }),
      strategy: "id",
      cursorColumn: null,
    });
    const all = await collect(spec, plan(null));
    expect(asClientText(all.rows)).toEqual(expected);
    const resumed = await collect(spec, plan({ cursorValue: null, keyValues: ["9007199254740992"] }));
    expect(asClientText(resumed.rows)).toEqual(expected.slice(2));
  });
});
