import { createHash } from "node:crypto";

/** `SHA256:<base64 without padding>` of a raw SSH public key blob, as OpenSSH prints it. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  const digest = createHash("sha256").update(keyBlob).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/**
 * Canonical form of a user-supplied fingerprint: `SHA256:` prefix (any case),
 * trailing `=` padding dropped. Returns undefined when it is not a SHA256 fingerprint.
 */
export function normalizeFingerprint(text: string): string | undefined {
  const match = /^sha256:([A-Za-z0-9+/]{43})=?$/i.exec(text.trim());
  return match ? `SHA256:${match[1]}` : undefined;
}
