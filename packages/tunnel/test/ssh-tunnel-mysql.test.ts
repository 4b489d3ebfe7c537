import { randomBytes } from "node:crypto";
import type { RowDataPacket } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openSshTunnel, type SshTunnel } from "../src/index.js";
import { mysqlConnection, tunnelOptions, uniqueTableName } from "./ssh-tunnel-fixture.js";

const services = inject("sluiceServices");
const table = uniqueTableName("tunnel_probe");
// Written over a direct connection, read back through the tunnel: proves the bytes crossed it.
const secretValue = randomBytes(12).toString("hex");

describe("SSH tunnel to MariaDB", () => {
  let tunnel: SshTunnel;

  beforeAll(async () => {
    const admin = await mysqlConnection(services.mysql, {
      host: services.mysql.host,
      port: services.mysql.port,
    });
    await admin.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY, v VARCHAR(64))`);
    await admin.query(`INSERT INTO \`${table}\` VALUES (1, ?)`, [secretValue]);
    await admin.end();
    tunnel = (await openSshTunnel(tunnelOptions(services)))._unsafeUnwrap();
  });

  afterAll(async () => {
    await tunnel?.close();
    const admin = await mysqlConnection(services.mysql, {
      host: services.mysql.host,
      port: services.mysql.port,
    });
    await admin.query(`DROP TABLE IF EXISTS \`${table}\``);
    await admin.end();
  });

  it("listens on loopback on a port other than the target's", () => {
    expect(tunnel.localHost).toBe("127.0.0.1");
    expect(tunnel.localPort).toBeGreaterThan(0);
    expect(tunnel.localPort).not.toBe(services.mysql.port);
  });

  it("carries a mysql2 query through the local port", async () => {
    const connection = await mysqlConnection(services.mysql, {
      host: tunnel.localHost,
      port: tunnel.localPort,
    });
    try {
      const [rows] = await connection.query<RowDataPacket[]>(`SELECT v, @@port AS port FROM \`${table}\``);
      expect(rows).toEqual([{ v: secretValue, port: services.mysql.port }]);
    } finally {
      await connection.end();
    }
  });

  it("carries a mysql2 query through openStream(), and parallel connections", async () => {
    const connections = await Promise.all(
      [0, 1, 2].map(async () => mysqlConnection(services.mysql, { stream: await tunnel.openStream() })),
    );
    try {
      const results = await Promise.all(
        connections.map((connection) =>
          connection.query<RowDataPacket[]>(`SELECT v, CONNECTION_ID() AS id FROM \`${table}\``),
        ),
      );
      for (const [rows] of results) expect(rows[0]?.v).toBe(secretValue);
      const ids = new Set(results.map(([rows]) => rows[0]?.id));
      expect(ids.size).toBe(3);
    } finally {
      await Promise.all(connections.map((connection) => connection.end()));
    }
  });
});
