import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mysqlError } from "../../src/mysql/mysql-errors.js";
import { adminConnection, uniqueTableName } from "./mariadb-test-database.js";

/**
 * Which MySQL failures a run retries: the errors are the server's own (a real lock
 * wait timing out, a real unknown table), mapped as the source maps them.
 */
const mysql = inject("sluiceServices").mysql;
const table = uniqueTableName("transient_errors");
const context = {
  host: mysql.host,
  port: mysql.port,
  user: mysql.user,
  database: mysql.database,
  doing: "testing",
};
let holder: Awaited<ReturnType<typeof adminConnection>>;
let waiter: Awaited<ReturnType<typeof adminConnection>>;

beforeAll(async () => {
  holder = await adminConnection(mysql);
  waiter = await adminConnection(mysql);
  await holder.query(
    `CREATE TABLE ${table} (id INT PRIMARY KEY, v INT); INSERT INTO ${table} VALUES (1, 1);`,
  );
});

afterAll(async () => {
  await holder.query("ROLLBACK");
  await holder.query(`DROP TABLE IF EXISTS ${table}`);
  await holder.end();
  await waiter.end();
});

async function thrownBy(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error("expected the statement to fail");
    },
    (thrown: unknown) => thrown,
  );
}

describe("MySQL errors a retry may cure", () => {
  it("a lock wait timeout (1205) is retryable", async () => {
    await holder.query("BEGIN");
    await holder.query(`UPDATE ${table} SET v = 2 WHERE id = 1`);
    await waiter.query("SET SESSION innodb_lock_wait_timeout = 1");
    const thrown = await thrownBy(waiter.query(`UPDATE ${table} SET v = 3 WHERE id = 1`));
    await holder.query("ROLLBACK");
    expect((thrown as { errno?: number }).errno).toBe(1205);
    expect(mysqlError(thrown, context)).toMatchObject({ kind: "connection", retryable: true });
  });

  it("a killed session (MariaDB 1927) and a connection mysql2 marks fatal are retryable", () => {
    const killed = Object.assign(new Error("Connection was killed"), { errno: 1927, sqlState: "70100" });
    expect(mysqlError(killed, context)).toMatchObject({ kind: "connection", retryable: true });
    const closed = Object.assign(new Error("Can't add new command when connection is in closed state"), {
      fatal: true,
    });
    expect(mysqlError(closed, context)).toMatchObject({ kind: "connection", retryable: true });
  });

  it("an unknown table and a syntax error are not", async () => {
    const unknown = await thrownBy(waiter.query(`SELECT * FROM ${table}_missing`));
    expect(mysqlError(unknown, context)).toMatchObject({ retryable: false });
    const syntax = await thrownBy(waiter.query("SELEC 1"));
    expect(mysqlError(syntax, context)).toMatchObject({ retryable: false });
  });
});
