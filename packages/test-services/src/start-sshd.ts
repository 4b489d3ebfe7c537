import { execFile } from "node:child_process";
import { chmod, chown, readFile, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureBinary } from "./ensure-binary.js";
import { freePort } from "./free-port.js";
import { startProcess, stopProcess, waitForPort } from "./service-process.js";
import type { SshEndpoint } from "./services-contract.js";

const run = promisify(execFile);

export interface RunningSshd {
  readonly endpoint: SshEndpoint;
  stop(): Promise<void>;
}

/**
 * A private OpenSSH bastion on loopback. It runs unprivileged (as root: as the
 * `postgres` OS user, which exists wherever the PostgreSQL stand-in does), and an
 * unprivileged sshd can only log in its own user — which is all a tunnel needs.
 * Host and client keys are generated per run, so tests pin a key nobody else has.
 */
export async function startSshd(directory: string): Promise<RunningSshd> {
  const sshd = ensureBinary(["/usr/sbin/sshd"], "openssh-server");
  const keygen = ensureBinary(["/usr/bin/ssh-keygen"], "openssh-client");
  const asRoot = process.getuid?.() === 0;
  const account = asRoot ? await accountOf("postgres") : { name: userInfo().username, uid: -1, gid: -1 };
  const hostKey = join(directory, "host_ed25519");
  const clientKey = join(directory, "client_ed25519");
  await run(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "sluice-test-host", "-f", hostKey]);
  await run(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "sluice-test-client", "-f", clientKey]);
  const authorizedKeys = join(directory, "authorized_keys");
  await writeFile(authorizedKeys, await readFile(`${clientKey}.pub`));
  const port = await freePort();
  const config = join(directory, "sshd_config");
  await writeFile(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${join(directory, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "UsePAM no",
      "StrictModes no",
      "AllowTcpForwarding yes",
      "PermitTTY no",
      "X11Forwarding no",
      `AllowUsers ${account.name}`,
      "LogLevel ERROR",
      "",
    ].join("\n"),
  );
  if (asRoot) {
    for (const path of [directory, hostKey, `${hostKey}.pub`, authorizedKeys, config]) {
      await chown(path, account.uid, account.gid);
    }
  }
  await chmod(hostKey, 0o600);
  // -D: stay in the foreground; -e: log to stderr (our log file).
  const child = startProcess(sshd, ["-D", "-e", "-f", config], join(directory, "sshd.log"), {
    ...(asRoot ? { uid: account.uid, gid: account.gid } : {}),
  });
  await waitForPort(port, child, "sshd");
  const hostPublicKey = (await readFile(`${hostKey}.pub`, "utf8")).trim().split(" ").slice(0, 2).join(" ");
  const { stdout } = await run(keygen, ["-l", "-E", "sha256", "-f", `${hostKey}.pub`]);
  const fingerprint = stdout.split(" ")[1] ?? "";
  return {
    endpoint: {
      host: "127.0.0.1",
      port,
      user: account.name,
      privateKey: await readFile(clientKey, "utf8"),
      hostPublicKey,
      hostKeyFingerprint: fingerprint,
    },
    stop: () => stopProcess(child),
  };
}

async function accountOf(name: string): Promise<{ name: string; uid: number; gid: number }> {
  const { stdout: uid } = await run("id", ["-u", name]);
  const { stdout: gid } = await run("id", ["-g", name]);
  return { name, uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
