import { randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalObjectStore, createS3ObjectStore } from "@sluice/connectors";
import type { ObjectStore } from "@sluice/core";
import { ResultAsync } from "neverthrow";
import { inject } from "vitest";

/** Both real lakes: the patched s3rver (honours If-Match / If-None-Match) and a local directory. */
export const lakeBackends: { name: string; open: () => Promise<ObjectStore> }[] = [
  {
    name: "s3",
    open: async () => {
      const services = inject("sluiceServices");
      return createS3ObjectStore({
        bucket: services.s3.bucket,
        prefix: `watermark-cas-${randomUUID()}`,
        endpoint: services.s3.endpoint,
        region: services.s3.region,
        credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
        forcePathStyle: true,
      });
    },
  },
  {
    name: "local",
    open: async () => createLocalObjectStore({ directory: await mkdtemp(join(tmpdir(), "sluice-wm-cas-")) }),
  },
];

/**
 * The same store, but `beforePut` runs (once) just before the first put of `key`
 * reaches it: the moment another process would slip its write in between this
 * one's read and write.
 */
export function interposeBeforePut(
  store: ObjectStore,
  key: string,
  beforePut: (store: ObjectStore) => Promise<void>,
): ObjectStore {
  let done = false;
  return {
    ...store,
    put: (putKey, body, options) => {
      if (putKey !== key || done) return store.put(putKey, body, options);
      done = true;
      return ResultAsync.fromSafePromise(beforePut(store)).andThen(() => store.put(putKey, body, options));
    },
  };
}
