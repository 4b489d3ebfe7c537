import type { ResultAsync } from "neverthrow";
import type { SluiceError } from "./errors.js";

/** What `head`/`list` know of one stored object. `key` is relative to the store's prefix. */
export interface ObjectInfo {
  readonly key: string;
  readonly sizeBytes: number;
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
  put(
    key: string,
    body: Uint8Array | string,
    options?: { contentType?: string },
  ): ResultAsync<ObjectInfo, SluiceError>;
  /** Uploads a local file by streaming it (multipart when large); memory stays bounded. */
  putFile(key: string, localPath: string): ResultAsync<ObjectInfo, SluiceError>;
  /** Resolves `null` when the key does not exist. */
  get(key: string): ResultAsync<Uint8Array | null, SluiceError>;
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
}
