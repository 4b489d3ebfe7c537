import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createS3ObjectStore } from "../../src/object-store/index.js";
import { startRecordingS3Proxy } from "./recording-s3-proxy.js";

/**
 * S3 throttling (503 SlowDown) and 500s are retried by the AWS SDK itself, within
 * `maxAttempts`; the store counts those retries for the run report. Seen on the wire
 * through a proxy in front of the stand-in.
 */
const services = inject("sluiceServices");
const mebibyte = 1024 * 1024;
let scratch = "";

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "sluice-s3-retries-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A proxy failing the first `count` requests that `match`, with 503 SlowDown. */
async function throttling(count: number, match: (method: string, url: string) => boolean) {
  let left = count;
  return startRecordingS3Proxy(services.s3.endpoint, (method, url) => {
    if (left <= 0 || !match(method, url)) return null;
    left -= 1;
    return { status: 503, code: "SlowDown" };
  });
}

function store(endpoint: string, maxAttempts: number) {
  return createS3ObjectStore({
    bucket: services.s3.bucket,
    prefix: `sdk-retries-${randomUUID()}`,
    endpoint,
    region: services.s3.region,
    credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
    forcePathStyle: true,
    partSizeBytes: 5 * mebibyte,
    maxAttempts,
  });
}

describe("S3 store under throttling", () => {
  it("a single-request upload from a file is retried (sent from a buffer) and counted", async () => {
    const proxy = await throttling(2, (method) => method === "PUT");
    const path = join(scratch, "small.bin");
    await writeFile(path, randomBytes(100_000));
    const lake = store(proxy.endpoint, 3);
    try {
      expect((await lake.putFile("small.bin", path))._unsafeUnwrap().sizeBytes).toBe(100_000);
      expect(proxy.requests.filter((request) => request.method === "PUT")).toHaveLength(3);
      expect(lake.retries?.()).toBe(2);
      expect((await lake.head("small.bin"))._unsafeUnwrap()?.sizeBytes).toBe(100_000);
    } finally {
      lake.close?.();
      await proxy.close();
    }
  });

  it("multipart part uploads and reads are retried per request", async () => {
    const proxy = await throttling(
      3,
      (method, url) => (method === "PUT" && url.includes("partNumber=")) || method === "GET",
    );
    const path = join(scratch, "large.bin");
    const bytes = randomBytes(11 * mebibyte);
    await writeFile(path, bytes);
    const lake = store(proxy.endpoint, 4);
    try {
      expect((await lake.putFile("large.bin", path)).isOk()).toBe(true);
      const read = (await lake.get("large.bin"))._unsafeUnwrap();
      expect(Buffer.from(read ?? new Uint8Array()).equals(bytes)).toBe(true);
      expect(lake.retries?.()).toBe(3);
    } finally {
      lake.close?.();
      await proxy.close();
    }
  });

  it("gives up after maxAttempts with a retryable connection error naming 503 SlowDown", async () => {
    const proxy = await throttling(10, (method) => method === "PUT");
    const lake = store(proxy.endpoint, 2);
    try {
      const failed = await lake.put("gone.txt", "x");
      expect(failed._unsafeUnwrapErr()).toMatchObject({ kind: "connection", retryable: true });
      expect(failed._unsafeUnwrapErr().message).toMatch(/HTTP 503 SlowDown/);
      expect(proxy.requests.filter((request) => request.method === "PUT")).toHaveLength(2);
      expect(lake.retries?.()).toBe(1);
    } finally {
      lake.close?.();
      await proxy.close();
    }
  });
});
