import { fullSnapshotStrategy, hybridKeysetStrategy } from "@sluice/cdc-strategies";
import type { ExtractPlan, RetryEvent, SourceValue, TableSpec } from "@sluice/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openMysqlSource } from "../../src/index.js";
import type { SqlStatement } from "../../src/mysql/keyset-query.js";
import type { MysqlSource } from "../../src/mysql/mysql-source.js";
import { planWith } from "./cdc-plan-fixture.js";
import { adminConnection, uniqueTableName } from "./mariadb-test-database.js";

/**
 * A MySQL session killed in the middle of a keyset page: the extraction reconnects
 * and re-issues the page strictly after the last row it handed on, for the rows the
 * page still owes. Checked on the statements issued, not only on the rows.
 */
const mysql = inject("sluiceServices").mysql;
const table = uniqueTableName("resume_drop");
// 20 kB rows: a 2,500-row page (50 MB) is larger than loopback's socket buffers can
// grow to (32 MB + 4 MB here), so the server is still sending it when the session dies.
const total = 3_000;
const pageSize = 2_500;
const rowBytes = 20_000;
const quick = { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 };
let admin: Awaited<ReturnType<typeof adminConnection>>;

beforeAll(async () => {
  admin = await adminConnection(mysql);
  await admin.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, body MEDIUMTEXT NOT NULL,
      updated_at DATETIME(6) NOT NULL, KEY ix_resume_u (updated_at, id));
    INSERT INTO ${table} SELECT seq, REPEAT(CHAR(65 + seq % 26), ${rowBytes}),
      TIMESTAMP('2025-01-01') + INTERVAL (seq DIV 3) SECOND FROM seq_1_to_${total};`);
});

afterAll(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.end();
});

/** Kills the session running a query on the table (the extraction's), returning its id. */
async function killExtraction(): Promise<number | null> {
  const [found] = await admin.query(
    "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE COMMAND = 'Query' AND INFO LIKE ? AND ID <> CONNECTION_ID()",
    [`%${table}%`],
  );
  const id = (found as { id: number }[])[0]?.id ?? null;
  if (id !== null) await admin.query(`KILL CONNECTION ${Number(id)}`);
  return id;
}

async function extractKilling(source: MysqlSource, spec: TableSpec, plan: ExtractPlan, withRetry: boolean) {
  const rows: SourceValue[][] = [];
  const statements: { statement: SqlStatement; rowsBefore: number }[] = [];
  const retries: RetryEvent[] = [];
  let killed: number | null = null;
  const options = {
    batchRows: 100,
    observer: { query: (statement: SqlStatement) => statements.push({ statement, rowsBefore: rows.length }) },
    ...(withRetry
      ? { retry: quick, retryHooks: { onRetry: (event: RetryEvent) => retries.push(event) } }
      : {}),
  };
  for await (const batch of source.extract(spec, plan, options)) {
    rows.push(...(batch.rows as SourceValue[][]));
    if (killed === null && rows.length >= 300) killed = await killExtraction();
  }
  return { rows, statements, retries, killed };
}

describe("MySQL extraction after a dropped connection", () => {
  it("re-issues the page after the last row handed on: every row once, no second pass", async () => {
    const source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
    try {
      const spec = (await source.describeTable({ schema: mysql.database, table }))._unsafeUnwrap();
      const plan = await planWith(source, hybridKeysetStrategy, spec, { pageSize });
      const { rows, statements, retries, killed } = await extractKilling(source, spec, plan, true);
      expect(killed).not.toBeNull();
      expect(retries).toHaveLength(1);
      expect(retries[0]?.error).toMatchObject({ kind: "connection", retryable: true });
      // Every id exactly once, in keyset order.
      expect(rows.map((row) => row[0])).toEqual(Array.from({ length: total }, (_, index) => index + 1));
      // Page 1, page 1 resumed, page 2 (short): the resumed statement starts after the
      // last row handed on and asks only for what the page still owed.
      expect(statements).toHaveLength(3);
      const resumed = statements[1];
      if (!resumed) throw new Error("no resumed statement");
      const lastBefore = rows[resumed.rowsBefore - 1];
      expect(resumed.rowsBefore).toBeGreaterThanOrEqual(300);
      expect(resumed.rowsBefore).toBeLessThan(pageSize);
      expect(resumed.statement.values).toContain(lastBefore?.[0]);
      expect(resumed.statement.sql).toMatch(new RegExp(`LIMIT ${pageSize - resumed.rowsBefore}$`));
    } finally {
      await source.close();
    }
  });

  it("fails as retryable without a retry policy, and never resumes a consistent snapshot", async () => {
    for (const [strategy, withRetry] of [
      [hybridKeysetStrategy, false],
      [fullSnapshotStrategy, true],
    ] as const) {
      const source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
      try {
        const spec = (await source.describeTable({ schema: mysql.database, table }))._unsafeUnwrap();
        const plan = await planWith(source, strategy, spec, { pageSize });
        const failure = await extractKilling(source, spec, plan, withRetry).then(
          () => null,
          (thrown: unknown) => thrown,
        );
        expect(failure).toMatchObject({ kind: "connection", retryable: true });
      } finally {
        await source.close();
      }
    }
  });
});
