import type { SluiceError } from "@sluice/core";
import { toSluiceError } from "@sluice/core";
import { type Err, err, type Result, ResultAsync, safeTry } from "neverthrow";

/**
 * The pipeline's one way to write an operation (ADR 0023): an async generator run by
 * neverthrow's `safeTry`, where `yield* step` unwraps a `ResultAsync` (an Err ends the
 * operation with that error, unchanged) and the body returns `ok(value)`.
 *
 * Two things beyond `safeTry` itself:
 * - On an Err the generator is closed (`return()`), so `finally` blocks release what the
 *   body holds (a lease, a session, a temp directory). neverthrow 8.2's `safeTry` leaves
 *   the generator suspended; this repository patches it (patches/neverthrow@8.2.0.patch,
 *   the fix offered upstream), but consumers bring their own neverthrow as a peer, so
 *   the close is done here too: on a generator already closed it is a no-op.
 * - A throw (a bug, or a stream that signals failure by throwing) becomes a SluiceError
 *   naming `context` (a thrown SluiceError passes through unchanged) instead of a
 *   rejected ResultAsync.
 */
export function runSteps<T>(
  context: string,
  body: () => AsyncGenerator<Err<never, SluiceError>, Result<T, SluiceError>>,
): ResultAsync<T, SluiceError> {
  let generator: AsyncGenerator<Err<never, SluiceError>, Result<T, SluiceError>> | undefined;
  const outcome = safeTry(() => {
    generator = body();
    return generator;
  });
  return new ResultAsync(
    (async (): Promise<Result<T, SluiceError>> => {
      try {
        const result = await outcome;
        if (result.isErr()) await generator?.return(result);
        return result;
      } catch (thrown) {
        return err(toSluiceError(thrown, "internal", context));
      }
    })(),
  );
}

/**
 * For code that must stay a plain async function (stream consumers, callbacks handed to
 * other libraries): unwraps a ResultAsync by throwing its SluiceError, which the
 * enclosing `runSteps` turns back into a Result unchanged.
 */
export async function step<T>(result: ResultAsync<T, SluiceError>): Promise<T> {
  const outcome = await result;
  if (outcome.isErr()) throw outcome.error;
  return outcome.value;
}
