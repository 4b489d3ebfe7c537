import { configError, isSluiceError, type SluiceError } from "@sluice/core";
import { errAsync, ResultAsync } from "neverthrow";
import type ssh2 from "ssh2";
import { checkHostKey, type ResolvedHostKeyPin } from "./host-key-pin.js";
import { hostKeyMismatchError, sshConnectionError } from "./ssh-connection-error.js";
import type { SshBastion } from "./ssh-tunnel-options.js";

export interface SshConnectSettings {
  readonly bastion: SshBastion;
  readonly pin: ResolvedHostKeyPin;
  readonly readyTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
}

/**
 * ssh2 is loaded on first use, not with this package: loading it instantiates its
 * WebAssembly crypto, ~16 MiB of resident memory that a run without a tunnel (the
 * CLI always imports this package) would otherwise carry to the end
 * (docs/adr/0017-perf-bytes-bounded-memory.md).
 */
let loading: Promise<typeof ssh2> | undefined;
const loadSsh2 = (): Promise<typeof ssh2> => {
  loading ??= import("ssh2").then((module) => module.default);
  return loading;
};

/** Opens an authenticated SSH connection whose host key matched the pin. */
export function connectSsh(settings: SshConnectSettings): ResultAsync<ssh2.Client, SluiceError> {
  return ResultAsync.fromPromise(loadSsh2(), (error) =>
    sshConnectionError(error, settings.bastion, settings.readyTimeoutMs),
  ).andThen((loaded) => connectWith(loaded, settings));
}

function connectWith(
  library: typeof ssh2,
  settings: SshConnectSettings,
): ResultAsync<ssh2.Client, SluiceError> {
  const { bastion, pin } = settings;
  // Parse up front so a bad key is a config error, not a confusing auth failure.
  const parsed = library.utils.parseKey(bastion.privateKey, bastion.passphrase);
  if (parsed instanceof Error) {
    return errAsync(
      configError(
        `private key for SSH user ${bastion.user}@${bastion.host}:${bastion.port} cannot be used (${parsed.message}); check the key text and passphrase`,
      ),
    );
  }
  return ResultAsync.fromPromise(
    new Promise<ssh2.Client>((resolve, reject) => {
      const client = new library.Client();
      let mismatch: { actual: string } | undefined;
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        outcome();
      };
      client.once("ready", () => settle(() => resolve(client)));
      client.on("error", (error) => {
        settle(() =>
          reject(
            mismatch
              ? hostKeyMismatchError(bastion, pin.fingerprint, mismatch.actual)
              : sshConnectionError(error, bastion, settings.readyTimeoutMs),
          ),
        );
      });
      client.once("close", () =>
        settle(() =>
          reject(
            sshConnectionError(
              new Error("connection closed before authentication"),
              bastion,
              settings.readyTimeoutMs,
            ),
          ),
        ),
      );
      client.connect({
        host: bastion.host,
        port: bastion.port,
        username: bastion.user,
        privateKey: bastion.privateKey,
        ...(bastion.passphrase === undefined ? {} : { passphrase: bastion.passphrase }),
        readyTimeout: settings.readyTimeoutMs,
        keepaliveInterval: settings.keepaliveIntervalMs,
        hostVerifier: (presented: Buffer) => {
          const check = checkHostKey(pin, presented);
          if (!check.matches) mismatch = { actual: check.actual };
          return check.matches;
        },
      });
    }),
    // A synchronous throw from client.connect (bad option) is not yet classified.
    (error) => (isSluiceError(error) ? error : sshConnectionError(error, bastion, settings.readyTimeoutMs)),
  );
}
