import { killSshSessionsOf } from "@sluice/test-services";
import { describe, expect, inject, it } from "vitest";
import { openSshTunnel } from "../src/index.js";
import { mysqlConnection, tunnelOptions } from "./ssh-tunnel-fixture.js";

const services = inject("sluiceServices");

describe("SshTunnel after the bastion's session dies", () => {
  it("drops the connections it carried, then logs in again for the next one", async () => {
    const tunnel = (await openSshTunnel(tunnelOptions(services)))._unsafeUnwrap();
    try {
      const before = await mysqlConnection(services.mysql, {
        host: tunnel.localHost,
        port: tunnel.localPort,
      });
      before.on("error", () => {});
      await before.query("SELECT 1");
      const ended = new Promise<void>((resolve) => before.once("end", () => resolve()));

      const killed = await killSshSessionsOf(process.pid, services.ssh.port);
      expect(killed.length).toBeGreaterThanOrEqual(1);
      // The forwarded connection went down with the session: the driver sees it end.
      await ended;
      await expect(before.query("SELECT 1")).rejects.toThrow();

      // The same local port serves the next connection over a fresh login.
      const after = await mysqlConnection(services.mysql, { host: tunnel.localHost, port: tunnel.localPort });
      const [rows] = await after.query("SELECT 42 AS answer");
      expect(rows).toEqual([{ answer: 42 }]);
      await after.end();
      expect(tunnel.reconnects()).toBe(1);
    } finally {
      await tunnel.close();
    }
  });

  it("does not log in again once closed", async () => {
    const tunnel = (await openSshTunnel(tunnelOptions(services)))._unsafeUnwrap();
    await killSshSessionsOf(process.pid, services.ssh.port);
    await tunnel.close();
    await expect(tunnel.openStream()).rejects.toMatchObject({ kind: "connection" });
    expect(tunnel.reconnects()).toBe(0);
  });
});
