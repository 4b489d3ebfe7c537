import type { ObjectStore } from "@sluice/core";
import type { LakeLocation } from "./lake-location.js";
import { createLocalObjectStore } from "./local-object-store.js";
import { createS3ObjectStore, type S3StoreOptions } from "./s3-object-store.js";

/** Opens the store a parsed lake URL names; S3 settings (region, endpoint, keys) apply to s3:// only. */
export function openObjectStore(
  location: LakeLocation,
  s3?: Omit<S3StoreOptions, "bucket" | "prefix">,
): ObjectStore {
  return location.kind === "s3"
    ? createS3ObjectStore({ ...s3, bucket: location.bucket, prefix: location.prefix })
    : createLocalObjectStore({ directory: location.directory });
}
