import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import ssh2 from "ssh2";
import { describe, expect, inject, it } from "vitest";
import { publicKeyBlobFromLine } from "../src/host-key-pin.js";
import { normalizeFingerprint, sha256Fingerprint } from "../src/index.js";

const run = promisify(execFile);

describe("sha256Fingerprint", () => {
  it("matches what ssh-keygen printed for the test sshd's host key", () => {
    const { hostPublicKey, hostKeyFingerprint } = inject("sluiceServices").ssh;
    const blob = publicKeyBlobFromLine(hostPublicKey);
    expect(blob).toBeDefined();
    expect(sha256Fingerprint(blob as Buffer)).toBe(hostKeyFingerprint);
  });

  it("matches ssh-keygen -lf for a freshly generated key, also from a known_hosts line", async () => {
    const pair = ssh2.utils.generateKeyPairSync("ed25519");
    const directory = await mkdtemp(join(tmpdir(), "sluice-fingerprint-"));
    try {
      const file = join(directory, "key.pub");
      await writeFile(file, `${pair.public}\n`);
      const { stdout } = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", file]);
      const expected = stdout.split(/\s+/)[1];
      const blob = publicKeyBlobFromLine(`[bastion]:2222 ${pair.public.trim()}`);
      expect(sha256Fingerprint(blob as Buffer)).toBe(expected);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("normalizes padding and prefix case, and rejects MD5 fingerprints", () => {
    const plain = `SHA256:${"A".repeat(43)}`;
    expect(normalizeFingerprint(`sha256:${"A".repeat(43)}=`)).toBe(plain);
    expect(normalizeFingerprint("MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48")).toBeUndefined();
  });

  it("rejects a public key line whose embedded type disagrees with its label", () => {
    const pair = ssh2.utils.generateKeyPairSync("ed25519");
    const encoded = pair.public.trim().split(/\s+/)[1];
    expect(publicKeyBlobFromLine(`ssh-rsa ${encoded}`)).toBeUndefined();
  });
});
