// `@sluice/core/internal`: seams for sluice's own crash-recovery tests, kept off the main
// entry so users do not mistake them for API. The other packages and the CLI import them
// from here; they may change in any release.
export type { FaultHook, FaultPoint } from "./fault-point.js";
export { faultPoints } from "./fault-point.js";
