import { redactSecrets, type SluiceError, sluiceError } from "@sluice/core";

interface Ssh2Error extends Error {
  level?: string;
  code?: string;
}

export interface BastionIdentity {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

/**
 * Maps an ssh2 client error to a SluiceError. ssh2 tags errors with `level`:
 * `client-authentication` (key refused), `client-timeout` (no handshake in time),
 * `client-socket` / `client-dns` (unreachable). The message names user@host, never
 * the key.
 */
export function sshConnectionError(
  thrown: unknown,
  bastion: BastionIdentity,
  readyTimeoutMs: number,
): SluiceError {
  const where = `${bastion.host}:${bastion.port}`;
  const error = thrown as Ssh2Error;
  const detail = redactSecrets(error instanceof Error ? error.message : String(thrown));
  if (error?.level === "client-authentication") {
    return sluiceError(
      "auth",
      `SSH authentication failed for ${bastion.user}@${where}: the bastion refused the private key; check the user and that the key's public half is in that user's authorized_keys`,
      { cause: thrown },
    );
  }
  if (error?.level === "client-timeout") {
    return sluiceError(
      "connection",
      `SSH handshake with bastion ${where} timed out after ${readyTimeoutMs} ms; check the host, port and firewall, or raise readyTimeoutMs`,
      { cause: thrown, retryable: true },
    );
  }
  return sluiceError(
    "connection",
    `cannot reach SSH bastion ${where} (${detail}); check the host, port and network path`,
    { cause: thrown, retryable: true },
  );
}

export function hostKeyMismatchError(
  bastion: BastionIdentity,
  expected: string,
  actual: string,
): SluiceError {
  const where = `${bastion.host}:${bastion.port}`;
  return sluiceError(
    "auth",
    `SSH host key of bastion ${where} does not match the pin: expected ${expected}, got ${actual}; if the key was rotated legitimately, verify it out of band (ssh-keyscan -p ${bastion.port} ${bastion.host} | ssh-keygen -lf -) and update hostKey, otherwise do not connect`,
    { retryable: false },
  );
}

export function forwardRefusedError(
  bastion: BastionIdentity,
  target: { host: string; port: number },
  cause: unknown,
): SluiceError {
  const detail = redactSecrets(cause instanceof Error ? cause.message : String(cause));
  return sluiceError(
    "connection",
    `SSH bastion ${bastion.host}:${bastion.port} could not open a channel to ${target.host}:${target.port} (${detail}); check that the target is reachable from the bastion and that sshd allows TCP forwarding`,
    { cause, retryable: true },
  );
}
