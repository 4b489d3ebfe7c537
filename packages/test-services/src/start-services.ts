import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type RunningRedshiftGateway,
  startRedshiftGateway,
} from "./redshift-gateway/start-redshift-gateway.js";
import type { SluiceServices } from "./services-contract.js";
import { startMariadb } from "./start-mariadb.js";
import { startPostgres } from "./start-postgres.js";
import { startS3 } from "./start-s3.js";
import { startSshd } from "./start-sshd.js";

/** `redshift` (the gateway) needs `postgres` and `s3` and is started after them. */
export type ServiceName = "mysql" | "postgres" | "s3" | "ssh" | "redshift";

export interface RunningServices {
  readonly services: Partial<SluiceServices>;
  /** The temp directory holding every server's data and logs (removed by stop). */
  readonly directory: string;
  stop(): Promise<void>;
}

/**
 * Starts the requested private servers in parallel, each on an ephemeral loopback port
 * under one temp directory. If any fails, the others are stopped before the error is
 * rethrown, so a failed start leaves nothing running.
 */
export async function startServices(
  options: { which?: readonly ServiceName[]; log?: (line: string) => void } = {},
): Promise<RunningServices> {
  const which = new Set(options.which ?? ["mysql", "postgres", "s3", "ssh", "redshift"]);
  if (which.has("redshift")) {
    which.add("postgres");
    which.add("s3");
  }
  const directory = await mkdtemp(join(tmpdir(), "sluice-services-"));
  // The unprivileged PostgreSQL and sshd users must reach their subdirectories.
  await chmod(directory, 0o755);
  const dir = async (name: string) => {
    const path = join(directory, name);
    await import("node:fs/promises").then((fs) => fs.mkdir(path, { recursive: true }));
    return path;
  };
  const started = performance.now();
  const starts = {
    mysql: which.has("mysql") ? dir("mariadb").then(startMariadb) : null,
    postgres: which.has("postgres") ? dir("postgres").then(startPostgres) : null,
    s3: which.has("s3") ? dir("s3").then(startS3) : null,
    ssh: which.has("ssh") ? dir("sshd").then(startSshd) : null,
  };
  const settled = await Promise.allSettled(Object.values(starts).filter((start) => start !== null));
  const running = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  let gateway: RunningRedshiftGateway | null = null;
  const stop = async () => {
    // The gateway first: its sessions hold PostgreSQL connections.
    await gateway?.stop().catch(() => {});
    await Promise.allSettled(running.map((service) => service.stop()));
    await rm(directory, { recursive: true, force: true });
  };
  const failure = settled.find((result) => result.status === "rejected");
  if (failure && failure.status === "rejected") {
    await stop();
    throw failure.reason;
  }
  if (which.has("redshift") && starts.postgres && starts.s3) {
    try {
      gateway = await startRedshiftGateway({
        postgres: (await starts.postgres).endpoint,
        s3: (await starts.s3).endpoint,
      });
    } catch (error) {
      await stop();
      throw error;
    }
  }
  const services: Partial<SluiceServices> = {
    ...(starts.mysql ? { mysql: (await starts.mysql).endpoint } : {}),
    ...(starts.postgres ? { postgres: (await starts.postgres).endpoint } : {}),
    ...(starts.s3 ? { s3: (await starts.s3).endpoint } : {}),
    ...(starts.ssh ? { ssh: (await starts.ssh).endpoint } : {}),
    ...(gateway ? { redshift: (gateway as RunningRedshiftGateway).endpoint } : {}),
  };
  options.log?.(
    `private services up in ${Math.round(performance.now() - started)} ms: ${[...which].join(", ")}`,
  );
  return { services, directory, stop };
}
