import { connect } from "node:net";
import { describe, expect, inject, it } from "vitest";
import { openSshTunnel } from "../src/index.js";
import { mysqlConnection, tunnelOptions } from "./ssh-tunnel-fixture.js";

const services = inject("sluiceServices");

/** Resolves with "connected" or the socket error code. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe("SshTunnel.close", () => {
  it("frees the local port, ends open connections and refuses new streams", async () => {
    const tunnel = (await openSshTunnel(tunnelOptions(services)))._unsafeUnwrap();
    expect(await tryConnect(tunnel.localPort)).toBe("connected");
    const open = await mysqlConnection(services.mysql, { host: tunnel.localHost, port: tunnel.localPort });
    await open.query("SELECT 1");
    const ended = new Promise<void>((resolve) => open.once("end", () => resolve()));
    // mysql2 emits 'error' when its socket is torn down; the test only waits for 'end'.
    open.on("error", () => {});

    await tunnel.close();
    await tunnel.close(); // idempotent

    expect(await tryConnect(tunnel.localPort)).toBe("ECONNREFUSED");
    await ended;
    await expect(open.query("SELECT 1")).rejects.toThrow();
    await expect(tunnel.openStream()).rejects.toMatchObject({ kind: "connection" });
  });
});
