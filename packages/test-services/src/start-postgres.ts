import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chown, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { postgresBinDir } from "./ensure-binary.js";
import { freePort } from "./free-port.js";
import { startProcess, stopProcess, waitForPort } from "./service-process.js";
import type { PostgresEndpoint } from "./services-contract.js";

const run = promisify(execFile);

export interface RunningPostgres {
  readonly endpoint: PostgresEndpoint;
  stop(): Promise<void>;
}

/**
 * A private PostgreSQL (standing in for the warehouse). initdb and postgres refuse
 * to run as root, so as root they run as the `postgres` OS user over a directory it owns.
 */
export async function startPostgres(directory: string): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const dataDir = join(directory, "data");
  await mkdir(dataDir, { recursive: true });
  const asUser = await unprivilegedUser();
  if (asUser) {
    await chown(directory, asUser.uid, asUser.gid);
    await chown(dataDir, asUser.uid, asUser.gid);
  }
  const password = randomBytes(12).toString("hex");
  const passwordFile = join(directory, "pwfile");
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (asUser) await chown(passwordFile, asUser.uid, asUser.gid);
  const spawnAs = asUser ? { uid: asUser.uid, gid: asUser.gid } : {};
  await run(
    join(bin, "initdb"),
    [
      "-D",
      dataDir,
      "-U",
      "sluice",
      `--pwfile=${passwordFile}`,
      "--auth=scram-sha-256",
      "-E",
      "UTF8",
      "--locale=C.UTF-8",
    ],
    { ...spawnAs, cwd: directory },
  );
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const child = startProcess(
      join(bin, "postgres"),
      [
        "-D",
        dataDir,
        "-p",
        String(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        `unix_socket_directories=${directory}`,
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=200",
        "-c",
        "shared_buffers=256MB",
      ],
      join(directory, "postgres.log"),
      { ...spawnAs, cwd: directory },
    );
    try {
      await waitForPort(port, child, "postgres");
    } catch (error) {
      await stopProcess(child, "SIGKILL");
      if (attempt < 3) continue;
      throw error;
    }
    const url = `postgres://sluice:${password}@127.0.0.1:${port}`;
    await createDatabaseWhenReady(`${url}/postgres`);
    const endpoint: PostgresEndpoint = {
      host: "127.0.0.1",
      port,
      user: "sluice",
      password,
      database: "sluice_test",
      url: `${url}/sluice_test`,
    };
    // SIGINT = "fast shutdown": no waiting for clients a failed test left open.
    return { endpoint, stop: () => stopProcess(child, "SIGINT") };
  }
}

async function createDatabaseWhenReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query("CREATE DATABASE sluice_test");
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      // "the database system is starting up" answers before recovery is done.
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function unprivilegedUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const { stdout: uid } = await run("id", ["-u", "postgres"]);
  const { stdout: gid } = await run("id", ["-g", "postgres"]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
