import type { SluiceError } from "@sluice/core";
import { toSluiceError } from "@sluice/core";
import { ResultAsync } from "neverthrow";

/**
 * The pipeline reads as straight-line code: each step's ResultAsync is unwrapped
 * with `step`, which throws the SluiceError, and the whole run is wrapped once by
 * `runAsResult`. This keeps error kinds from the packages intact (a thrown
 * SluiceError passes through `toSluiceError` unchanged).
 */
export async function step<T>(result: ResultAsync<T, SluiceError>): Promise<T> {
  const outcome = await result;
  if (outcome.isErr()) throw outcome.error;
  return outcome.value;
}

export function runAsResult<T>(context: string, body: () => Promise<T>): ResultAsync<T, SluiceError> {
  return ResultAsync.fromPromise(body(), (thrown) => toSluiceError(thrown, "internal", context));
}
