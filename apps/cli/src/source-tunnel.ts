import { readFile } from "node:fs/promises";
import type { MysqlConnectionOptions } from "@sluice/connectors";
import { configError, type SluiceError } from "@sluice/core";
import { openSshTunnel, parseSshUrl, type SshHostKeyPin } from "@sluice/tunnel";
import type { Command } from "commander";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { CliIo } from "./cli-io.js";

export interface TunnelFlags {
  sshBastion?: string;
  sshKey?: string;
  sshHostKey?: string;
}

/** The bastion flags, shared by every command that reads MySQL. */
export function addTunnelOptions(command: Command): Command {
  return command
    .option(
      "--ssh-bastion <url>",
      "reach MySQL through ssh://user@bastion:port (default: $SLUICE_SSH_BASTION)",
    )
    .option("--ssh-key <path>", "private key for the bastion (default: $SLUICE_SSH_KEY_PATH)")
    .option(
      "--ssh-host-key <pin>",
      "the bastion's host key: 'SHA256:...' or 'ssh-ed25519 AAAA...' (default: $SLUICE_SSH_HOST_KEY)",
    );
}

/** The source as the run reaches it, and how to let go of the tunnel afterwards. */
export interface ReachableSource {
  /** Undefined when the command reads no MySQL (e.g. `--redshift-only`): no tunnel is opened. */
  readonly source: MysqlConnectionOptions | undefined;
  close(): Promise<void>;
}

/**
 * Reaches MySQL through an SSH bastion when one is configured (flags or
 * SLUICE_SSH_BASTION / SLUICE_SSH_KEY_PATH / SLUICE_SSH_HOST_KEY, passphrase only from
 * SLUICE_SSH_KEY_PASSPHRASE): the tunnel listens on loopback and the source URL's
 * host:port is where the bastion connects. Without a bastion (or without a source)
 * the source is as given.
 * The host key must be pinned: an unpinned bastion would hand the database password
 * to whoever answers.
 */
export function reachSource(
  flags: TunnelFlags,
  env: CliIo["env"],
  source: MysqlConnectionOptions | undefined,
): ResultAsync<ReachableSource, SluiceError> {
  const bastionUrl = flags.sshBastion ?? env.SLUICE_SSH_BASTION;
  if (!bastionUrl || source === undefined) return okAsync({ source, close: async () => {} });
  return openBastionTunnel(
    {
      bastionUrl,
      keyPath: flags.sshKey ?? env.SLUICE_SSH_KEY_PATH,
      hostKey: flags.sshHostKey ?? env.SLUICE_SSH_HOST_KEY,
      passphrase: env.SLUICE_SSH_KEY_PASSPHRASE,
    },
    sourceBastionNames,
    { host: source.host, port: source.port },
  ).map((tunnel) => ({
    source: { ...source, host: tunnel.localHost, port: tunnel.localPort },
    close: () => tunnel.close(),
  }));
}

/** What a bastion needs, whichever database sits behind it. */
export interface BastionSettings {
  readonly bastionUrl: string;
  readonly keyPath: string | undefined;
  readonly hostKey: string | undefined;
  readonly passphrase: string | undefined;
}

/** The flag and variable names an error should point the operator to. */
export interface BastionNames {
  readonly bastion: string;
  readonly key: string;
  readonly keyEnv: string;
  readonly hostKey: string;
  readonly hostKeyEnv: string;
}

const sourceBastionNames: BastionNames = {
  bastion: "--ssh-bastion",
  key: "--ssh-key",
  keyEnv: "SLUICE_SSH_KEY_PATH",
  hostKey: "--ssh-host-key",
  hostKeyEnv: "SLUICE_SSH_HOST_KEY",
};

/** A loopback port forwarded through the bastion to `target`; the host key must match its pin. */
export function openBastionTunnel(
  settings: BastionSettings,
  names: BastionNames,
  target: { host: string; port: number },
): ResultAsync<{ localHost: string; localPort: number; close(): Promise<void> }, SluiceError> {
  const { bastionUrl, keyPath, hostKey: pinText, passphrase } = settings;
  const bastion = parseSshUrl(bastionUrl);
  if (bastion.isErr()) return errAsync(bastion.error);
  if (!keyPath) {
    return errAsync(
      configError(
        `${names.bastion} ${bastionUrl} needs a private key: pass ${names.key} <path> or set ${names.keyEnv}`,
      ),
    );
  }
  if (!pinText) {
    return errAsync(
      configError(
        `${names.bastion} ${bastionUrl} needs its host key pinned: pass ${names.hostKey} 'SHA256:...' (ssh-keygen -lf) or the known_hosts line 'ssh-ed25519 AAAA...', or set ${names.hostKeyEnv}`,
      ),
    );
  }
  const hostKey: SshHostKeyPin = pinText.startsWith("SHA256:")
    ? { fingerprint: pinText }
    : { publicKey: pinText };
  return ResultAsync.fromPromise(readFile(keyPath, "utf8"), (thrown) =>
    configError(
      `${names.key} ${keyPath}: cannot read it (${(thrown as NodeJS.ErrnoException).code ?? String(thrown)})`,
    ),
  ).andThen((privateKey) =>
    openSshTunnel({
      bastion: { ...bastion.value, privateKey, ...(passphrase ? { passphrase } : {}) },
      hostKey,
      target,
    }),
  );
}
