import { type PutOptions, type SluiceError, sluiceError } from "@sluice/core";

/** True when a put carries a compare-and-set condition. */
export function isConditional(options: PutOptions | undefined): boolean {
  return options?.ifMatch !== undefined || options?.ifNoneMatch === true;
}

/**
 * The `conflict` error of a compare-and-set put whose condition did not hold, the
 * same for every store. Not retryable: repeating the put fails the same way; the
 * caller must read the object again and decide.
 */
export function writeConflict(uri: string, options: PutOptions, cause?: unknown): SluiceError {
  const why =
    options.ifNoneMatch === true
      ? "it already exists (another writer created it first)"
      : `it is no longer version ${options.ifMatch} (another writer replaced or deleted it)`;
  return sluiceError("conflict", `compare-and-set write of ${uri} refused: ${why}; read it again and retry`, {
    retryable: false,
    cause,
  });
}
