// Public types use Node's Buffer/stream types: the reference is kept in index.d.ts so a
// consumer's tsc loads @types/node (a dependency) even when its tsconfig lists no types.
/// <reference types="node" preserve="true" />
export { normalizeFingerprint, sha256Fingerprint } from "./host-key-fingerprint.js";
export type { SshUrlParts } from "./parse-ssh-url.js";
export { parseSshUrl } from "./parse-ssh-url.js";
export { openSshTunnel } from "./ssh-tunnel.js";
export type { SshBastion, SshHostKeyPin, SshTunnel, SshTunnelOptions } from "./ssh-tunnel-options.js";
