import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createS3ObjectStore, type S3StoreOptions } from "../../src/object-store/index.js";
import { startRecordingS3Proxy } from "./recording-s3-proxy.js";

const services = inject("sluiceServices");
const prefix = `failures-${randomUUID()}`;
const mebibyte = 1024 * 1024;
let scratch = "";

function options(overrides: Partial<S3StoreOptions> = {}): S3StoreOptions {
  return {
    bucket: services.s3.bucket,
    prefix,
    endpoint: services.s3.endpoint,
    region: services.s3.region,
    credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
    forcePathStyle: true,
    maxAttempts: 1,
    ...overrides,
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "sluice-s3-failures-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("S3 store: multipart upload seen on the wire", () => {
  it("splits a file above partSizeBytes into parts no larger than the part size", async () => {
    const proxy = await startRecordingS3Proxy(services.s3.endpoint);
    const source = join(scratch, "twelve.bin");
    await writeFile(source, randomBytes(12 * mebibyte + 1));
    const store = createS3ObjectStore(options({ endpoint: proxy.endpoint, partSizeBytes: 5 * mebibyte }));
    try {
      expect((await store.putFile("mp/twelve.bin", source)).isOk()).toBe(true);
      const parts = proxy.requests.filter((r) => r.method === "PUT" && r.url.includes("partNumber="));
      expect(parts.map((r) => r.contentLength).sort()).toEqual(
        [2 * mebibyte + 1, 5 * mebibyte, 5 * mebibyte].sort(),
      );
      expect(proxy.requests.some((r) => r.method === "POST" && r.url.includes("?uploads"))).toBe(true);
      expect(proxy.requests.some((r) => r.method === "POST" && r.url.includes("uploadId="))).toBe(true);
      // The stand-in stored the concatenation, not aws-chunked framing.
      expect((await store.head("mp/twelve.bin"))._unsafeUnwrap()?.sizeBytes).toBe(12 * mebibyte + 1);
    } finally {
      store.close?.();
      await proxy.close();
    }
  });

  it("stores a file of more parts than workers byte for byte (each worker reuses one part buffer)", async () => {
    const source = join(scratch, "seven-parts.bin");
    const bytes = randomBytes(6 * 5 * mebibyte + 12345);
    await writeFile(source, bytes);
    const store = createS3ObjectStore(options({ partSizeBytes: 5 * mebibyte, partConcurrency: 2 }));
    try {
      expect((await store.putFile("mp/seven-parts.bin", source)).isOk()).toBe(true);
      const stored = (await store.get("mp/seven-parts.bin"))._unsafeUnwrap();
      expect(stored?.length).toBe(bytes.length);
      expect(Buffer.from(stored ?? []).equals(bytes)).toBe(true);
    } finally {
      store.close?.();
    }
  });

  it("sends one PutObject with the exact Content-Length for a file at or below the part size", async () => {
    const proxy = await startRecordingS3Proxy(services.s3.endpoint);
    const source = join(scratch, "one.bin");
    await writeFile(source, randomBytes(5 * mebibyte));
    const store = createS3ObjectStore(options({ endpoint: proxy.endpoint, partSizeBytes: 5 * mebibyte }));
    try {
      expect((await store.putFile("mp/one.bin", source)).isOk()).toBe(true);
      const puts = proxy.requests.filter((r) => r.method === "PUT");
      expect(puts).toHaveLength(1);
      expect(puts[0]?.contentLength).toBe(5 * mebibyte);
      expect(puts[0]?.url).not.toContain("uploadId");
    } finally {
      store.close?.();
      await proxy.close();
    }
  });

  it("aborts the multipart upload when a part fails and leaves no object behind", async () => {
    const proxy = await startRecordingS3Proxy(services.s3.endpoint, (method, url) =>
      method === "PUT" && url.includes("partNumber=2") ? { status: 503, code: "SlowDown" } : null,
    );
    const source = join(scratch, "fails.bin");
    await writeFile(source, randomBytes(11 * mebibyte));
    const store = createS3ObjectStore(options({ endpoint: proxy.endpoint, partSizeBytes: 5 * mebibyte }));
    try {
      const result = await store.putFile("mp/fails.bin", source);
      expect(result.isErr()).toBe(true);
      const error = result._unsafeUnwrapErr();
      expect(error.kind).toBe("connection");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(`s3://${services.s3.bucket}/${prefix}/mp/fails.bin`);
      expect(proxy.requests.some((r) => r.method === "DELETE" && r.url.includes("uploadId="))).toBe(true);
      expect((await store.head("mp/fails.bin"))._unsafeUnwrap()).toBeNull();
    } finally {
      store.close?.();
      await proxy.close();
    }
  });
});

describe("S3 store: error mapping", () => {
  it("reports a missing bucket as not_found naming the bucket, the endpoint and the fix", async () => {
    const bucket = `no-such-${randomUUID().slice(0, 8)}`;
    const store = createS3ObjectStore(options({ bucket }));
    try {
      for (const result of [await store.checkAccess(), await store.put("x.txt", "x"), await store.list("")]) {
        const error = result._unsafeUnwrapErr();
        expect(error.kind).toBe("not_found");
        expect(error.message).toBe(
          `bucket '${bucket}' does not exist at ${services.s3.endpoint}/; create it or fix --lake / SLUICE_LAKE_URL`,
        );
      }
    } finally {
      store.close?.();
    }
  });

  // s3rver checks that the access key id exists (only its built-in one does) but does
  // not verify SigV4 signatures, so a wrong *secret* is accepted by the stand-in; only
  // an unknown key id can be tested here. Real S3 answers SignatureDoesNotMatch, which
  // maps the same way (see the fake-server test below for a 403 body).
  it("reports an unknown access key as auth without printing the secret", async () => {
    const secret = "very-secret-value-123";
    const store = createS3ObjectStore(
      options({ credentials: { accessKeyId: "NOT-A-KEY", secretAccessKey: secret } }),
    );
    try {
      for (const result of [await store.checkAccess(), await store.put("x.txt", "x")]) {
        const error = result._unsafeUnwrapErr();
        expect(error.kind).toBe("auth");
        expect(error.retryable).toBe(false);
        expect(error.message).toContain("InvalidAccessKeyId");
        expect(error.message).toContain(services.s3.bucket);
        expect(error.message).not.toContain(secret);
      }
    } finally {
      store.close?.();
    }
  });

  it("reports a refused connection as retryable connection error", async () => {
    const port = await freePort();
    const store = createS3ObjectStore(options({ endpoint: `http://127.0.0.1:${port}` }));
    try {
      const error = (await store.checkAccess())._unsafeUnwrapErr();
      expect(error.kind).toBe("connection");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain("ECONNREFUSED");
      expect(error.message).toContain(`127.0.0.1:${port}`);
    } finally {
      store.close?.();
    }
  });

  describe("against a fake server", () => {
    let server: Server;
    let endpoint = "";
    let answer: (path: string) => { status: number; body: string } | "hang";
    beforeAll(async () => {
      server = createServer((request, response) => {
        request.resume();
        const planned = answer(request.url ?? "/");
        if (planned === "hang") return; // never answers: the socket timeout must fire
        response.writeHead(planned.status, { "content-type": "application/xml" });
        response.end(planned.body);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    const xmlError = (code: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>m</Message></Error>`;

    it("maps AccessDenied (403) to auth", async () => {
      answer = () => ({ status: 403, body: xmlError("AccessDenied") });
      const store = createS3ObjectStore(options({ endpoint }));
      const error = (await store.get("k.txt"))._unsafeUnwrapErr();
      store.close?.();
      expect(error.kind).toBe("auth");
      expect(error.message).toContain(`s3://${services.s3.bucket}/${prefix}/k.txt`);
    });

    it("maps SignatureDoesNotMatch to auth", async () => {
      answer = () => ({ status: 403, body: xmlError("SignatureDoesNotMatch") });
      const store = createS3ObjectStore(options({ endpoint }));
      const error = (await store.put("k.txt", "v"))._unsafeUnwrapErr();
      store.close?.();
      expect(error.kind).toBe("auth");
    });

    it("maps a 500 InternalError to a retryable connection error", async () => {
      answer = () => ({ status: 500, body: xmlError("InternalError") });
      const store = createS3ObjectStore(options({ endpoint }));
      const error = (await store.list(""))._unsafeUnwrapErr();
      store.close?.();
      expect(error.kind).toBe("connection");
      expect(error.retryable).toBe(true);
    });

    it("maps a request that never answers to a retryable connection error", async () => {
      answer = () => "hang";
      const store = createS3ObjectStore(options({ endpoint, socketTimeoutMs: 300 }));
      const started = Date.now();
      const error = (await store.head("k.txt"))._unsafeUnwrapErr();
      store.close?.();
      expect(error.kind).toBe("connection");
      expect(error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });
});
