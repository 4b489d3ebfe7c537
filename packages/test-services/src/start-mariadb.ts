import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import { ensureBinary } from "./ensure-binary.js";
import { freePort } from "./free-port.js";
import { startProcess, stopProcess, waitForPort } from "./service-process.js";
import type { MysqlEndpoint } from "./services-contract.js";

const run = promisify(execFile);

export interface RunningMariadb {
  readonly endpoint: MysqlEndpoint;
  stop(): Promise<void>;
}

/**
 * A private MariaDB (standing in for MySQL) in `directory`: binlog on in ROW format as
 * a CDC source would have it, durability relaxed because tests own the data.
 */
export async function startMariadb(directory: string): Promise<RunningMariadb> {
  const server = ensureBinary(["/usr/sbin/mariadbd", "/usr/sbin/mysqld"], "mariadb-server");
  const installDb = ensureBinary(
    ["/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"],
    "mariadb-server",
  );
  const clientBinary = ensureBinary(["/usr/bin/mariadb", "/usr/bin/mysql"], "mariadb-client");
  const dataDir = join(directory, "data");
  const socketPath = join(directory, "mysqld.sock");
  await mkdir(dataDir, { recursive: true });
  await run(installDb, [
    "--no-defaults",
    `--datadir=${dataDir}`,
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
    "--user=root",
  ]);
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const child = startProcess(
      server,
      [
        "--no-defaults",
        `--datadir=${dataDir}`,
        `--socket=${socketPath}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        "--user=root",
        "--log-bin=binlog",
        "--binlog-format=ROW",
        "--server-id=1",
        "--skip-name-resolve",
        "--innodb-flush-log-at-trx-commit=2",
        "--sync-binlog=0",
        "--innodb-buffer-pool-size=512M",
        "--max-connections=500",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_unicode_ci",
        `--pid-file=${join(directory, "mysqld.pid")}`,
        `--log-error=${join(directory, "error.log")}`,
      ],
      join(directory, "stdout.log"),
    );
    try {
      await waitForPort(port, child, "mariadbd");
    } catch (error) {
      await stopProcess(child, "SIGKILL");
      if (attempt < 3) continue; // lost the port to another process
      throw error;
    }
    const password = randomBytes(12).toString("hex");
    const root = await mysql.createConnection({ socketPath, user: "root", multipleStatements: true });
    await root.query(`
      CREATE DATABASE sluice_test;
      CREATE USER 'sluice'@'127.0.0.1' IDENTIFIED BY '${password}';
      CREATE USER 'sluice'@'localhost' IDENTIFIED BY '${password}';
      GRANT ALL PRIVILEGES ON *.* TO 'sluice'@'127.0.0.1' WITH GRANT OPTION;
      GRANT ALL PRIVILEGES ON *.* TO 'sluice'@'localhost' WITH GRANT OPTION;`);
    await root.end();
    const endpoint: MysqlEndpoint = {
      host: "127.0.0.1",
      port,
      user: "sluice",
      password,
      database: "sluice_test",
      url: `mysql://sluice:${password}@127.0.0.1:${port}/sluice_test`,
      clientBinary,
      socketPath,
    };
    return { endpoint, stop: () => stopProcess(child) };
  }
}
