import type { ObjectStore, ObjectVersion, SluiceError } from "@sluice/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";

/**
 * Why a compare-and-set write did not take: the stored object was no longer the
 * version expected (`changed`), it was written but then read back different
 * (`unverified`), or the store failed (`failed`, e.g. unreachable).
 */
export type CompareAndSetFailure =
  | { readonly reason: "changed"; readonly error: SluiceError }
  | { readonly reason: "unverified" }
  | { readonly reason: "failed"; readonly error: SluiceError };

/**
 * Writes `text` under `key` only if the stored object is still version `expected`
 * (`null`: only if there is none yet), then reads it back and checks the bytes:
 * state is trusted only once it is seen stored. Resolves to the new version.
 *
 * A refusal whose read-back shows exactly our text is our own write: the request
 * landed but its answer was lost and the SDK's retry then met our own object.
 */
export function compareAndSetText(
  store: ObjectStore,
  key: string,
  text: string,
  expected: ObjectVersion | null,
): ResultAsync<ObjectVersion, CompareAndSetFailure> {
  const condition = expected === null ? { ifNoneMatch: true as const } : { ifMatch: expected };
  const work = async (): Promise<Result<ObjectVersion, CompareAndSetFailure>> => {
    const put = await store.put(key, text, { contentType: "application/json", ...condition });
    if (put.isErr() && put.error.kind !== "conflict") return err({ reason: "failed", error: put.error });
    const back = await store.getVersioned(key);
    if (back.isErr()) return err({ reason: "failed", error: back.error });
    const stored = back.value === null ? null : new TextDecoder().decode(back.value.body);
    if (back.value !== null && stored === text) return ok(back.value.version);
    return err(put.isErr() ? { reason: "changed", error: put.error } : { reason: "unverified" });
  };
  return new ResultAsync(work());
}
