import ssh2 from "ssh2";
import { describe, expect, inject, it } from "vitest";
import { openSshTunnel } from "../src/index.js";
import { closedLoopbackPort, tunnelOptions } from "./ssh-tunnel-fixture.js";

const services = inject("sluiceServices");
const base = tunnelOptions(services);
const bastionAddress = `${services.ssh.host}:${services.ssh.port}`;

describe("openSshTunnel failures", () => {
  it("refuses to connect without a host key pin, saying how to get one", async () => {
    const error = (await openSshTunnel({ ...base, hostKey: {} }))._unsafeUnwrapErr();
    expect(error.kind).toBe("config");
    expect(error.message).toContain(
      `ssh-keyscan -p ${services.ssh.port} ${services.ssh.host} | ssh-keygen -lf -`,
    );
  });

  it("reports a wrong pinned fingerprint as auth, naming both fingerprints", async () => {
    const wrong = `SHA256:${"x".repeat(43)}`;
    const error = (await openSshTunnel({ ...base, hostKey: { fingerprint: wrong } }))._unsafeUnwrapErr();
    expect(error.kind).toBe("auth");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(wrong);
    expect(error.message).toContain(services.ssh.hostKeyFingerprint);
    expect(error.message).not.toContain("\n");
  });

  it("reports a different pinned public key as auth", async () => {
    const other = ssh2.utils.generateKeyPairSync("ed25519").public;
    const error = (await openSshTunnel({ ...base, hostKey: { publicKey: other } }))._unsafeUnwrapErr();
    expect(error.kind).toBe("auth");
    expect(error.message).toContain(services.ssh.hostKeyFingerprint);
  });

  it("accepts the pinned public key line alone", async () => {
    const tunnel = (
      await openSshTunnel({ ...base, hostKey: { publicKey: services.ssh.hostPublicKey } })
    )._unsafeUnwrap();
    await tunnel.close();
  });

  it("reports a closed bastion port as a retryable connection error naming host:port", async () => {
    const port = await closedLoopbackPort();
    const error = (
      await openSshTunnel({ ...base, bastion: { ...base.bastion, host: "127.0.0.1", port } })
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("connection");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });

  it("reports a private key the bastion does not accept as auth naming user@host, without key material", async () => {
    const stranger = ssh2.utils.generateKeyPairSync("ed25519");
    const error = (
      await openSshTunnel({ ...base, bastion: { ...base.bastion, privateKey: stranger.private } })
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("auth");
    expect(error.message).toContain(`${services.ssh.user}@${bastionAddress}`);
    const keyBody = stranger.private
      .split("\n")
      .filter((line) => !line.startsWith("-----"))
      .join("");
    expect(error.message).not.toContain(keyBody.slice(0, 40));
    expect(error.message).not.toContain("PRIVATE KEY");
  });

  it("reports an unparseable private key as config", async () => {
    const error = (
      await openSshTunnel({ ...base, bastion: { ...base.bastion, privateKey: "not a key" } })
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("config");
    expect(error.message).not.toContain("not a key");
  });

  it("reports a target the bastion cannot reach as a connection error naming the target", async () => {
    const port = await closedLoopbackPort();
    const error = (await openSshTunnel({ ...base, target: { host: "127.0.0.1", port } }))._unsafeUnwrapErr();
    expect(error.kind).toBe("connection");
    expect(error.message).toContain(`127.0.0.1:${port}`);
  });
});
