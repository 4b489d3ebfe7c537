import { type FaultHook, type FaultPoint, faultPoints } from "@sluice/core/internal";

/**
 * `SLUICE_FAULT_AT=<point>` makes the sync kill its own process with SIGKILL (as
 * `kill -9` would) when it reaches that stage boundary: the crash-recovery tests
 * run the real CLI this way. Unset in production; an unknown point is refused so
 * a typo never silently tests nothing.
 */
export function faultHookFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): FaultHook | undefined | Error {
  const wanted = env.SLUICE_FAULT_AT;
  if (!wanted) return undefined;
  if (!(faultPoints as readonly string[]).includes(wanted)) {
    return new Error(`SLUICE_FAULT_AT=${wanted} is not a fault point; use one of ${faultPoints.join(", ")}`);
  }
  return (point: FaultPoint) => {
    if (point === wanted) process.kill(process.pid, "SIGKILL");
  };
}
