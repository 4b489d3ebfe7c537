import type { Duplex } from "node:stream";

export interface SshBastion {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** OpenSSH or PEM private key text. Never logged, never echoed in errors. */
  readonly privateKey: string;
  readonly passphrase?: string;
}

/**
 * Pinning is required: a fingerprint `SHA256:...` (as `ssh-keygen -lf` prints it)
 * and/or a known_hosts-style public key line (`ssh-ed25519 AAAA...`). When both are
 * given, they must describe the same key and the server must match both.
 */
export interface SshHostKeyPin {
  readonly fingerprint?: string;
  readonly publicKey?: string;
}

export interface SshTunnelOptions {
  readonly bastion: SshBastion;
  readonly hostKey: SshHostKeyPin;
  /** Where the bastion connects to on our behalf (as seen from the bastion). */
  readonly target: { readonly host: string; readonly port: number };
  readonly readyTimeoutMs?: number;
  readonly keepaliveIntervalMs?: number;
}

export interface SshTunnel {
  /** Always 127.0.0.1: the listener never binds beyond loopback. */
  readonly localHost: string;
  readonly localPort: number;
  /** A fresh forwarded channel to the target, for drivers that accept a stream (mysql2 `stream`). Rejects with a SluiceError. */
  openStream(): Promise<Duplex>;
  /** How many times the tunnel logged in again after the bastion's session died. */
  reconnects(): number;
  /** Closes the listener, every forwarded socket and the SSH connection. Idempotent. */
  close(): Promise<void>;
}
