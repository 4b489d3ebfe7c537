import { configError, type SluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import { normalizeFingerprint, sha256Fingerprint } from "./host-key-fingerprint.js";
import type { SshHostKeyPin } from "./ssh-tunnel-options.js";

/** A validated pin: the fingerprint the server must present and, when given, the exact key blob. */
export interface ResolvedHostKeyPin {
  readonly fingerprint: string;
  readonly keyBlob?: Buffer;
}

function howToGetFingerprint(host: string, port: number): string {
  return `get it with: ssh-keyscan -p ${port} ${host} | ssh-keygen -lf -`;
}

/** Refuses to go on without a pin: trust-on-first-use would hand credentials to whoever answers. */
export function resolveHostKeyPin(
  pin: SshHostKeyPin,
  bastion: { host: string; port: number },
): Result<ResolvedHostKeyPin, SluiceError> {
  const where = `${bastion.host}:${bastion.port}`;
  const hasFingerprint = pin.fingerprint !== undefined && pin.fingerprint.trim() !== "";
  const hasPublicKey = pin.publicKey !== undefined && pin.publicKey.trim() !== "";
  if (!hasFingerprint && !hasPublicKey) {
    return err(
      configError(
        `SSH host key of bastion ${where} is not pinned: set hostKey.fingerprint (SHA256:...); ${howToGetFingerprint(bastion.host, bastion.port)}`,
      ),
    );
  }
  let fingerprint: string | undefined;
  if (hasFingerprint) {
    fingerprint = normalizeFingerprint(pin.fingerprint ?? "");
    if (!fingerprint) {
      return err(
        configError(
          `SSH host key fingerprint "${pin.fingerprint}" for bastion ${where} is not a SHA256 fingerprint (SHA256:<43 base64 chars>); ${howToGetFingerprint(bastion.host, bastion.port)}`,
        ),
      );
    }
  }
  if (!hasPublicKey) return ok({ fingerprint: fingerprint as string });

  const keyBlob = publicKeyBlobFromLine(pin.publicKey ?? "");
  if (!keyBlob) {
    return err(
      configError(
        `SSH host public key for bastion ${where} is not a known_hosts-style line ("ssh-ed25519 AAAA..."); get it with: ssh-keyscan -p ${bastion.port} ${bastion.host}`,
      ),
    );
  }
  const keyFingerprint = sha256Fingerprint(keyBlob);
  if (fingerprint && fingerprint !== keyFingerprint) {
    return err(
      configError(
        `SSH host key pins for bastion ${where} disagree: fingerprint ${fingerprint} but public key has ${keyFingerprint}; fix one of them`,
      ),
    );
  }
  return ok({ fingerprint: keyFingerprint, keyBlob });
}

/**
 * Finds `<type> <base64>` in a known_hosts or authorized_keys style line (host
 * patterns before, comment after) and returns the decoded blob, checked to carry
 * that same type name inside.
 */
export function publicKeyBlobFromLine(line: string): Buffer | undefined {
  const tokens = line.trim().split(/\s+/);
  for (let index = 0; index + 1 < tokens.length; index++) {
    const type = tokens[index] as string;
    const encoded = tokens[index + 1] as string;
    if (!/^(ssh-|ecdsa-|sk-)/.test(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) continue;
    const blob = Buffer.from(encoded, "base64");
    if (blob.length < 4) continue;
    const typeLength = blob.readUInt32BE(0);
    if (blob.subarray(4, 4 + typeLength).toString("latin1") === type) return blob;
  }
  return undefined;
}

/** Compares a presented key blob with the pin; returns the presented fingerprint either way. */
export function checkHostKey(
  pin: ResolvedHostKeyPin,
  presented: Buffer,
): { matches: boolean; actual: string } {
  const actual = sha256Fingerprint(presented);
  const matches = pin.keyBlob ? pin.keyBlob.equals(presented) : actual === pin.fingerprint;
  return { matches, actual };
}
