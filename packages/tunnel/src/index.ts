export { normalizeFingerprint, sha256Fingerprint } from "./host-key-fingerprint.js";
export type { SshUrlParts } from "./parse-ssh-url.js";
export { parseSshUrl } from "./parse-ssh-url.js";
export { openSshTunnel } from "./ssh-tunnel.js";
export type { SshBastion, SshHostKeyPin, SshTunnel, SshTunnelOptions } from "./ssh-tunnel-options.js";
