import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, inject, it } from "vitest";
import {
  createTestMysqlConnection,
  createTestPgClient,
  createTestS3Client,
  startServices,
} from "../src/index.js";

const run = promisify(execFile);

describe("private test services", () => {
  const services = inject("sluiceServices");

  it("MariaDB has the binlog on in ROW format and listens on an ephemeral loopback port", async () => {
    expect(services.mysql.host).toBe("127.0.0.1");
    expect(services.mysql.port).not.toBe(3306);
    const connection = await createTestMysqlConnection(services.mysql);
    const [rows] = await connection.query(
      "SELECT @@log_bin AS logBin, @@binlog_format AS format, @@port AS port",
    );
    await connection.end();
    expect(rows).toEqual([{ logBin: "1", format: "ROW", port: String(services.mysql.port) }]);
  });

  it("PostgreSQL answers with password authentication on its own port", async () => {
    expect(services.postgres.port).not.toBe(5432);
    const client = await createTestPgClient(services.postgres);
    const result = await client.query<{ port: string; db: string }>(
      "SELECT current_setting('port') AS port, current_database() AS db",
    );
    await client.end();
    expect(result.rows[0]).toEqual({ port: String(services.postgres.port), db: "sluice_test" });
    const wrong = createTestPgClient({
      ...services.postgres,
      url: services.postgres.url.replace(services.postgres.password, "nope"),
    });
    await expect(wrong).rejects.toThrow(/password authentication failed/);
  });

  it("s3rver stores bodies byte for byte and pages ListObjectsV2 past 1000 keys", async () => {
    const client = createTestS3Client(services.s3);
    const prefix = `test-services-${Date.now()}/`;
    const body = new Uint8Array(70_000).map((_, index) => (index * 31) % 251);
    await client.send(new PutObjectCommand({ Bucket: services.s3.bucket, Key: `${prefix}blob`, Body: body }));
    const got = await client.send(new GetObjectCommand({ Bucket: services.s3.bucket, Key: `${prefix}blob` }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(Buffer.from(body))).toBe(true);
    await Promise.all(
      Array.from({ length: 1_005 }, (_, index) =>
        client.send(
          new PutObjectCommand({ Bucket: services.s3.bucket, Key: `${prefix}many/${index}`, Body: "x" }),
        ),
      ),
    );
    const first = await client.send(
      new ListObjectsV2Command({ Bucket: services.s3.bucket, Prefix: `${prefix}many/` }),
    );
    expect(first.KeyCount).toBe(1_000);
    expect(first.IsTruncated).toBe(true);
    const second = await client.send(
      new ListObjectsV2Command({
        Bucket: services.s3.bucket,
        Prefix: `${prefix}many/`,
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(second.KeyCount).toBe(5);
  });

  it("sshd accepts the generated client key and presents the pinned host key", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-ssh-test-"));
    try {
      const keyPath = join(dir, "id");
      await writeFile(keyPath, services.ssh.privateKey, { mode: 0o600 });
      await writeFile(
        join(dir, "known_hosts"),
        `[127.0.0.1]:${services.ssh.port} ${services.ssh.hostPublicKey}\n`,
      );
      // -N with a forward proves the session is accepted; BatchMode fails instead of prompting.
      const { stderr } = await run("ssh", [
        "-i",
        keyPath,
        "-p",
        String(services.ssh.port),
        "-o",
        "BatchMode=yes",
        "-o",
        `UserKnownHostsFile=${join(dir, "known_hosts")}`,
        "-o",
        "StrictHostKeyChecking=yes",
        `${services.ssh.user}@127.0.0.1`,
        "-T",
        "true",
      ]).catch((error: { stderr: string }) => ({ stderr: error.stderr }));
      // The bastion has no usable shell for commands only when the account forbids it; authentication must pass.
      expect(stderr).not.toMatch(/Permission denied|Host key verification failed/);
      const hostKeyFile = join(dir, "host.pub");
      await writeFile(hostKeyFile, `${services.ssh.hostPublicKey}\n`);
      const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", hostKeyFile]);
      expect(stdout.split(" ")[1]).toBe(services.ssh.hostKeyFingerprint);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stop() kills the servers and removes their directory", async () => {
    const running = await startServices({ which: ["mysql", "s3"] });
    const { mysql, s3 } = running.services;
    if (!mysql || !s3) throw new Error("mysql and s3 were asked for");
    const ports = [mysql.port, Number(new URL(s3.endpoint).port)];
    expect(await Promise.all(ports.map(listening))).toEqual([true, true]);
    await running.stop();
    expect(await Promise.all(ports.map(listening))).toEqual([false, false]);
    expect(existsSync(running.directory)).toBe(false);
  });
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
}
