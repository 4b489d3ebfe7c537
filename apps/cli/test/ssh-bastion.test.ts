import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestMysqlConnection } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_bastion";
const table = `${schema}.events`;
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let dir: string;
let keyPath: string;
let env: Record<string, string>;

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE events (id INT PRIMARY KEY, kind VARCHAR(20) NOT NULL,
      updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO events VALUES (1, 'open', '2026-01-01 00:00:01'), (2, 'close', '2026-01-01 00:00:02');`);
  dir = await mkdtemp(join(tmpdir(), "sluice-cli-ssh-"));
  keyPath = join(dir, "id_ed25519");
  await writeFile(keyPath, services.ssh.privateKey, { mode: 0o600 });
  env = {
    SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    SLUICE_LAKE_URL: `file://${await mkdtemp(join(dir, "lake-"))}`,
    SLUICE_SSH_BASTION: `ssh://${services.ssh.user}@${services.ssh.host}:${services.ssh.port}`,
    SLUICE_SSH_KEY_PATH: keyPath,
  };
});
afterAll(async () => {
  await connection?.end();
});

describe("sluice sync through an SSH bastion", () => {
  it("extracts through the tunnel when the bastion's host key is pinned (fingerprint or public key)", async () => {
    const services = inject("sluiceServices");
    const byFingerprint = await sluice(
      ["sync", "-t", table, "--backup-only", "--json", "--ssh-host-key", services.ssh.hostKeyFingerprint],
      env,
    );
    expect(byFingerprint.stderr).toBe("");
    expect(byFingerprint.code).toBe(0);
    expect(JSON.parse(byFingerprint.stdout).counts.extracted).toBe(2);

    await connection.query(`INSERT INTO ${table} VALUES (3, 'open', '2026-01-01 00:00:03')`);
    const byPublicKey = await sluice(["sync", "-t", table, "--backup-only", "--json"], {
      ...env,
      SLUICE_SSH_HOST_KEY: services.ssh.hostPublicKey,
    });
    expect(byPublicKey.code).toBe(0);
    expect(JSON.parse(byPublicKey.stdout).counts.extracted).toBe(1);
  });

  it("refuses a wrong host key, a missing pin or key, and names the fix; the watermark does not move", async () => {
    const services = inject("sluiceServices");
    const before = (await sluice(["watermark", "get", "-t", table, "--json"], env)).stdout;

    const wrongPin = `SHA256:${"A".repeat(43)}`;
    const wrong = await sluice(["sync", "-t", table, "--backup-only", "--ssh-host-key", wrongPin], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(wrongPin);
    expect(wrong.stderr).toContain(services.ssh.hostKeyFingerprint);

    const unpinned = await sluice(["sync", "-t", table, "--backup-only"], env);
    expect(unpinned.code).toBe(2);
    expect(unpinned.stderr).toContain("--ssh-host-key");

    const { SLUICE_SSH_KEY_PATH: _key, ...withoutKey } = env;
    const keyless = await sluice(
      ["sync", "-t", table, "--backup-only", "--ssh-host-key", services.ssh.hostKeyFingerprint],
      withoutKey,
    );
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain("--ssh-key");

    const unreadable = await sluice(
      [
        "sync",
        "-t",
        table,
        "--backup-only",
        "--ssh-key",
        join(dir, "missing"),
        "--ssh-host-key",
        services.ssh.hostKeyFingerprint,
      ],
      env,
    );
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain("ENOENT");

    // The other commands that read MySQL go through the same bastion settings.
    const withTarget = { ...env, SLUICE_TARGET_URL: services.postgres.url };
    const others = await Promise.all(
      [
        ["watermark-count", "validate-counts", "-t", table],
        ["reconcile", "-t", table],
      ].map((args) => sluice([...args, "--ssh-host-key", wrongPin], withTarget)),
    );
    for (const other of others) {
      expect(other.code).toBe(2);
      expect(other.stderr).toContain(services.ssh.hostKeyFingerprint);
    }

    for (const result of [wrong, unpinned, keyless, unreadable, ...others]) {
      expect(result.stderr).not.toContain(services.mysql.password);
      expect(result.stderr).not.toContain("PRIVATE KEY");
    }
    expect((await sluice(["watermark", "get", "-t", table, "--json"], env)).stdout).toBe(before);
  });
});
