import { configError, type SluiceError } from "@sluice/core";
import { type FaultHook, type FaultPoint, faultPoints } from "@sluice/core/internal";
import { err, ok, type Result } from "neverthrow";

/**
 * `SLUICE_FAULT_AT=<point>` makes the sync kill its own process with SIGKILL (as
 * `kill -9` would) when it reaches that stage boundary: the crash-recovery tests
 * run the real CLI this way. Unset in production; an unknown point is refused so
 * a typo never silently tests nothing.
 */
export function faultHookFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Result<FaultHook | undefined, SluiceError> {
  const wanted = env.SLUICE_FAULT_AT;
  if (!wanted) return ok(undefined);
  if (!(faultPoints as readonly string[]).includes(wanted)) {
    return err(
      configError(`SLUICE_FAULT_AT=${wanted} is not a fault point; use one of ${faultPoints.join(", ")}`),
    );
  }
  return ok((point: FaultPoint) => {
    if (point === wanted) process.kill(process.pid, "SIGKILL");
  });
}
