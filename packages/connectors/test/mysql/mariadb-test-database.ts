import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { createConnection } from "mysql2/promise";
// Type-only (erased at runtime); also brings the `inject("sluiceServices")` typing.
import type { MysqlEndpoint } from "../../../test-services/src/services-contract.js";

const run = promisify(execFile);

/** A table name no other test file (or run) uses. */
export function uniqueTableName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

/** A plain mysql2 connection for DDL and seeding; not the code under test. */
export function adminConnection(mysql: MysqlEndpoint) {
  return createConnection({
    host: mysql.host,
    port: mysql.port,
    user: mysql.user,
    password: mysql.password,
    database: mysql.database,
    multipleStatements: true,
  });
}

/**
 * Rows as the `mariadb` command-line client prints them (tab-separated text, NULL as
 * "NULL"): an independent reading of what the server holds.
 */
export async function clientRows(mysql: MysqlEndpoint, sql: string): Promise<string[][]> {
  const { stdout } = await run(
    mysql.clientBinary,
    [
      "--batch",
      "--raw",
      "--skip-column-names",
      "--default-character-set=utf8mb4",
      `--host=${mysql.host}`,
      `--port=${mysql.port}`,
      `--user=${mysql.user}`,
      mysql.database,
      "-e",
      sql,
    ],
    { env: { ...process.env, MYSQL_PWD: mysql.password }, maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => line.split("\t"));
}
