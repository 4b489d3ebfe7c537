import type { ResultAsync } from "neverthrow";
import type { SluiceError } from "./errors.js";

/**
 * An opaque token naming one stored version of an object: S3's ETag (quoted, as S3
 * sends it), or a digest of the content for the local directory. Two reads return
 * the same token exactly when they returned the same bytes. Only ever compare it
 * or hand it back to the store that issued it.
 */
export type ObjectVersion = string;

/** What `head`/`list` know of one stored object. `key` is relative to the store's prefix. */
export interface ObjectInfo {
  readonly key: string;
  readonly sizeBytes: number;
  /** Set by `put` (and by `putFile` where it comes for free): the version just written. */
  readonly version?: ObjectVersion;
}

/** An object's bytes with the version they belong to, for a later compare-and-set `put`. */
export interface VersionedObject {
  readonly body: Uint8Array;
  readonly version: ObjectVersion;
}

/**
 * Options of `put`. `ifMatch` and `ifNoneMatch` make it a compare-and-set write:
 * it happens only if the stored object is still the version read (`ifMatch`), or
 * if no object exists under the key yet (`ifNoneMatch: true`). When the condition
 * does not hold, nothing is written and the put fails with kind `conflict`,
 * `retryable: false`: the caller must read again and decide, a blind retry would
 * fail the same way. Of two writers racing with the same condition, exactly one wins.
 */
export interface PutOptions {
  readonly contentType?: string;
  readonly ifMatch?: ObjectVersion;
  readonly ifNoneMatch?: true;
}

/**
 * The lake: S3 (or a compatible server) or a local directory, seen through one
 * small seam so the pipeline, watermark store and loaders never care which.
 * Keys are `/`-separated and relative to the store's prefix (`s3://bucket/prefix`
 * or `file:///dir`). A write is durable when its ResultAsync resolves ok.
 */
export interface ObjectStore {
  /** `s3://bucket/prefix` or `file:///abs/dir`, without a trailing slash. */
  readonly baseUri: string;
  /** Absolute URI of a key, as a warehouse COPY would read it. */
  uriFor(key: string): string;
  /** Writes the whole object; conditional (compare-and-set) with `ifMatch` / `ifNoneMatch`. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): ResultAsync<ObjectInfo, SluiceError>;
  /** Uploads a local file by streaming it (multipart when large); memory stays bounded. */
  putFile(key: string, localPath: string): ResultAsync<ObjectInfo, SluiceError>;
  /** Resolves `null` when the key does not exist. */
  get(key: string): ResultAsync<Uint8Array | null, SluiceError>;
  /**
   * Like `get`, with the version the bytes belong to (for a later `put` with
   * `ifMatch`). Resolves `null` when the key does not exist.
   */
  getVersioned(key: string): ResultAsync<VersionedObject | null, SluiceError>;
  /** Downloads to a local file by streaming. */
  getToFile(key: string, localPath: string): ResultAsync<ObjectInfo, SluiceError>;
  /** Resolves `null` when the key does not exist. */
  head(key: string): ResultAsync<ObjectInfo | null, SluiceError>;
  /** Every object whose key starts with `prefix`, sorted by key (all pages). */
  list(prefix: string): ResultAsync<readonly ObjectInfo[], SluiceError>;
  /** Deleting a missing key is not an error. */
  delete(keys: readonly string[]): ResultAsync<void, SluiceError>;
  /** Fails with kind `not_found` (bucket/directory missing) or `auth` before any run writes. */
  checkAccess(): ResultAsync<void, SluiceError>;
  close?(): void;
  /**
   * Requests the store has retried so far (S3: the SDK's own retries of 5xx,
   * SlowDown and dropped connections), for the run report's retry counts.
   */
  retries?(): number;
}
