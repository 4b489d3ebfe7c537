import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { Duplex } from "node:stream";
import { createConnection } from "mysql2/promise";
// Type-only (erased at runtime); also brings the `inject("sluiceServices")` typing.
import type { MysqlEndpoint, SluiceServices } from "../../test-services/src/services-contract.js";
import type { SshTunnelOptions } from "../src/index.js";

/** Tunnel options for the injected sshd, forwarding to the injected MariaDB. */
export function tunnelOptions(services: SluiceServices): SshTunnelOptions {
  const { ssh, mysql } = services;
  return {
    bastion: { host: ssh.host, port: ssh.port, user: ssh.user, privateKey: ssh.privateKey },
    hostKey: { fingerprint: ssh.hostKeyFingerprint },
    target: { host: mysql.host, port: mysql.port },
    readyTimeoutMs: 10_000,
  };
}

/** A loopback port nothing listens on: bound once by us, then released. */
export async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

export function uniqueTableName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

/** mysql2 connection options for the injected MariaDB, either over TCP or a given stream. */
export function mysqlConnection(
  mysql: MysqlEndpoint,
  via: { host: string; port: number } | { stream: Duplex },
) {
  return createConnection({ user: mysql.user, password: mysql.password, database: mysql.database, ...via });
}
