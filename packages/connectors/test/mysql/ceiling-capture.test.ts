import { createConnection } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openMysqlSource } from "../../src/index.js";
import type { MysqlSource } from "../../src/mysql/mysql-source.js";
import { adminConnection, uniqueTableName } from "./mariadb-test-database.js";

const mysql = inject("sluiceServices").mysql;
const table = uniqueTableName("ceiling_trx");
const limitedUser = `noproc_${Date.now().toString(36)}`;
let source: MysqlSource;

beforeAll(async () => {
  const admin = await adminConnection(mysql);
  await admin.query(
    `CREATE TABLE ${table} (id INT PRIMARY KEY, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`,
  );
  await admin.query(`CREATE USER '${limitedUser}'@'127.0.0.1' IDENTIFIED BY 'pw-${limitedUser}'`);
  await admin.query(`GRANT SELECT ON \`${mysql.database}\`.* TO '${limitedUser}'@'127.0.0.1'`);
  await admin.end();
  source = (await openMysqlSource({ ...mysql }))._unsafeUnwrap();
});

afterAll(async () => {
  await source?.close();
  const admin = await adminConnection(mysql);
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.query(`DROP USER IF EXISTS '${limitedUser}'@'127.0.0.1'`);
  await admin.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("MysqlSource.captureCeiling", () => {
  it("holds the ceiling a second below the start of an open write transaction, naming its thread", async () => {
    const writer = await adminConnection(mysql);
    try {
      await writer.query("START TRANSACTION");
      await writer.query(`INSERT INTO ${table} (id) VALUES (1)`);
      const [[{ thread }]] = (await writer.query(
        "SELECT CAST(CONNECTION_ID() AS CHAR) AS thread",
      )) as unknown as [[{ thread: string }]];
      const [[{ stamped }]] = (await writer.query(
        `SELECT DATE_FORMAT(CONVERT_TZ(updated_at, @@session.time_zone, '+00:00'), '%Y-%m-%d %H:%i:%s.%f') AS stamped FROM ${table} WHERE id = 1`,
      )) as unknown as [[{ stamped: string }]];
      await sleep(1500);
      const captured = (await source.captureCeiling({ fsp: 6, clock: "utc" }))._unsafeUnwrap();
      expect(captured.openTransactionsChecked).toBe(true);
      expect(captured.boundBy).toBe("open-transaction");
      expect(captured.oldestOpenTransaction?.threadId).toBe(thread);
      // The uncommitted row's stamp is at or above the ceiling: it waits for a later run.
      expect(captured.ceiling <= stamped).toBe(true);
      expect(captured.ceiling < captured.now).toBe(true);
      await writer.query("COMMIT");
      const after = (await source.captureCeiling({ fsp: 6, clock: "utc" }))._unsafeUnwrap();
      expect(after.boundBy).toBe("clock");
      expect(after.ceiling > stamped).toBe(true);
    } finally {
      await writer.query("ROLLBACK").catch(() => {});
      await writer.end();
    }
  });

  it("ignores idle transactions that modified nothing, and read-only ones", async () => {
    const reader = await adminConnection(mysql);
    const readOnly = await adminConnection(mysql);
    try {
      await reader.query("START TRANSACTION");
      await reader.query(`SELECT COUNT(*) FROM ${table}`);
      await readOnly.query("START TRANSACTION READ ONLY");
      await readOnly.query(`SELECT COUNT(*) FROM ${table}`);
      const captured = (await source.captureCeiling({ fsp: 3, clock: "utc" }))._unsafeUnwrap();
      expect(captured.boundBy).toBe("clock");
      expect(captured.oldestOpenTransaction).toBeNull();
      expect(captured.ceiling).toBe(captured.now.slice(0, 23));
    } finally {
      await reader.query("ROLLBACK");
      await readOnly.query("ROLLBACK");
      await reader.end();
      await readOnly.end();
    }
  });

  it("without the PROCESS privilege falls back to the safety lag and says it could not check", async () => {
    const limited = (
      await openMysqlSource({ ...mysql, user: limitedUser, password: `pw-${limitedUser}` })
    )._unsafeUnwrap();
    try {
      const captured = (
        await limited.captureCeiling({ fsp: 0, clock: "utc", safetyLagSeconds: 90 })
      )._unsafeUnwrap();
      expect(captured.openTransactionsChecked).toBe(false);
      expect(captured.boundBy).toBe("safety-lag");
      expect(captured.ceiling).toHaveLength(19);
      const lagMs =
        Date.parse(`${captured.now.replace(" ", "T")}Z`) -
        Date.parse(`${captured.ceiling.replace(" ", "T")}Z`);
      expect(lagMs).toBeGreaterThan(90_000 - 1);
      expect(lagMs).toBeLessThan(91_000);
    } finally {
      await limited.close();
    }
  });

  it("refuses a negative lag and a precision outside 0..6", async () => {
    expect((await source.captureCeiling({ fsp: 7, clock: "utc" }))._unsafeUnwrapErr().kind).toBe("config");
    const error = (
      await source.captureCeiling({ fsp: 6, clock: "utc", safetyLagSeconds: -1 })
    )._unsafeUnwrapErr();
    expect(error.message).toContain("--safety-lag-seconds -1");
  });

  it("keeps its session pinned to UTC, also after reading the server clock", async () => {
    const local = await createConnection({
      host: mysql.host,
      port: mysql.port,
      user: mysql.user,
      password: mysql.password,
      database: mysql.database,
    });
    try {
      await local.query("SET time_zone = '+05:00'");
      await local.query(`INSERT INTO ${table} VALUES (2, '2025-06-01 05:00:00.000001')`);
    } finally {
      await local.end();
    }
    (await source.serverNow(6, "server"))._unsafeUnwrap();
    const spec = (await source.describeTable({ schema: mysql.database, table }))._unsafeUnwrap();
    const plan = {
      table: spec.ref,
      strategy: "hybrid",
      cursorColumn: "updated_at",
      keyColumns: ["id"],
      after: { cursorValue: "2025-01-01 00:00:00", keyValues: ["0"] },
      ceiling: "2026-01-01 00:00:00",
      limit: null,
      pageSize: 10,
    };
    const rows = [];
    for await (const batch of source.extract(spec, plan)) rows.push(...batch.rows);
    expect(rows).toEqual([[2, "2025-06-01 00:00:00.000001"]]);
  });
});
