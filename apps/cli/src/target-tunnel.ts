import type { SluiceError } from "@sluice/core";
import type { WarehouseConnection } from "@sluice/redshift-loader";
import type { Command } from "commander";
import { okAsync, type ResultAsync } from "neverthrow";
import type { CliIo } from "./cli-io.js";
import { type BastionNames, openBastionTunnel } from "./source-tunnel.js";

export interface TargetTunnelFlags {
  targetSshBastion?: string;
  targetSshKey?: string;
  targetSshHostKey?: string;
}

/**
 * The warehouse's own bastion: warehouses often sit in another network than MySQL
 * (the replaced system's REDSHIFT_SSH_BASTION_*), so the target has its own flags.
 */
export function addTargetTunnelOptions(command: Command): Command {
  return command
    .option(
      "--target-ssh-bastion <url>",
      "reach the warehouse through ssh://user@bastion:port (default: $SLUICE_TARGET_SSH_BASTION)",
    )
    .option(
      "--target-ssh-key <path>",
      "private key for the warehouse's bastion (default: $SLUICE_TARGET_SSH_KEY_PATH)",
    )
    .option(
      "--target-ssh-host-key <pin>",
      "the warehouse bastion's host key, 'SHA256:...' (default: $SLUICE_TARGET_SSH_HOST_KEY)",
    );
}

const targetBastionNames: BastionNames = {
  bastion: "--target-ssh-bastion",
  key: "--target-ssh-key",
  keyEnv: "SLUICE_TARGET_SSH_KEY_PATH",
  hostKey: "--target-ssh-host-key",
  hostKeyEnv: "SLUICE_TARGET_SSH_HOST_KEY",
};

export interface ReachableTarget {
  readonly connection: WarehouseConnection | undefined;
  close(): Promise<void>;
}

/**
 * The warehouse through its bastion when one is configured. TLS still checks the
 * warehouse's own name (`tlsServerName`), not the loopback end of the tunnel.
 */
export function reachTarget(
  flags: TargetTunnelFlags,
  env: CliIo["env"],
  connection: WarehouseConnection | undefined,
): ResultAsync<ReachableTarget, SluiceError> {
  const bastionUrl = flags.targetSshBastion ?? env.SLUICE_TARGET_SSH_BASTION;
  if (!bastionUrl || connection === undefined) return okAsync({ connection, close: async () => {} });
  return openBastionTunnel(
    {
      bastionUrl,
      keyPath: flags.targetSshKey ?? env.SLUICE_TARGET_SSH_KEY_PATH,
      hostKey: flags.targetSshHostKey ?? env.SLUICE_TARGET_SSH_HOST_KEY,
      passphrase: env.SLUICE_TARGET_SSH_KEY_PASSPHRASE,
    },
    targetBastionNames,
    { host: connection.host, port: connection.port },
  ).map((tunnel) => ({
    connection: {
      ...connection,
      host: tunnel.localHost,
      port: tunnel.localPort,
      tlsServerName: connection.tlsServerName ?? connection.host,
    },
    close: () => tunnel.close(),
  }));
}
