import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { ObjectStore } from "@sluice/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLocalObjectStore, createS3ObjectStore } from "../../src/object-store/index.js";

// One suite, run against every store: a key that works against the local directory
// in tests must behave the same on S3 in production.

const services = inject("sluiceServices");
const s3Prefix = `conformance-${randomUUID()}`;
let localDirectory = "";
let scratch = "";

/** Reads a key's bytes with a raw SDK client or the file system: not through the store under test. */
type RawReader = (key: string) => Promise<Buffer | null>;

const stores: { name: string; open: () => ObjectStore; raw: RawReader }[] = [
  {
    name: "s3",
    open: () =>
      createS3ObjectStore({
        bucket: services.s3.bucket,
        prefix: s3Prefix,
        endpoint: services.s3.endpoint,
        region: services.s3.region,
        credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
        forcePathStyle: true,
        partSizeBytes: 5 * 1024 * 1024,
      }),
    raw: async (key) => {
      const client = new S3Client({
        endpoint: services.s3.endpoint,
        region: services.s3.region,
        credentials: { accessKeyId: services.s3.accessKeyId, secretAccessKey: services.s3.secretAccessKey },
        forcePathStyle: true,
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      });
      try {
        const answer = await client.send(
          new GetObjectCommand({ Bucket: services.s3.bucket, Key: `${s3Prefix}/${key}` }),
        );
        return Buffer.from((await answer.Body?.transformToByteArray()) ?? []);
      } catch (thrown) {
        if ((thrown as { name?: string }).name === "NoSuchKey") return null;
        throw thrown;
      } finally {
        client.destroy();
      }
    },
  },
  {
    name: "local",
    open: () => createLocalObjectStore({ directory: localDirectory }),
    raw: (key) =>
      readFile(join(localDirectory, ...key.split("/"))).catch((thrown: { code?: string }) => {
        if (thrown.code === "ENOENT") return null;
        throw thrown;
      }),
  },
];

beforeAll(async () => {
  localDirectory = await mkdtemp(join(tmpdir(), "sluice-local-store-"));
  scratch = await mkdtemp(join(tmpdir(), "sluice-store-scratch-"));
});

afterAll(async () => {
  await rm(localDirectory, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

describe.each(stores)("ObjectStore conformance: $name", ({ name, open, raw }) => {
  let store: ObjectStore;
  beforeAll(async () => {
    store = open();
    expect((await store.checkAccess()).isOk()).toBe(true);
  });
  afterAll(() => store.close?.());

  it("puts and gets bytes and text; head and get answer null for a missing key", async () => {
    const bytes = randomBytes(1000);
    const put = await store.put("basic/data.bin", bytes);
    expect(put._unsafeUnwrap()).toEqual({
      key: "basic/data.bin",
      sizeBytes: 1000,
      version: expect.any(String),
    });
    expect(await raw("basic/data.bin")).toEqual(bytes);
    expect(Buffer.from((await store.get("basic/data.bin"))._unsafeUnwrap() ?? [])).toEqual(bytes);

    const text = "zażółć gęślą jaźń\n";
    await store.put("basic/text.json", text, { contentType: "application/json" });
    expect((await raw("basic/text.json"))?.toString("utf8")).toBe(text);
    expect((await store.head("basic/text.json"))._unsafeUnwrap()).toEqual({
      key: "basic/text.json",
      sizeBytes: Buffer.byteLength(text),
    });

    // Overwrite replaces the whole object.
    await store.put("basic/text.json", "short");
    expect((await raw("basic/text.json"))?.toString("utf8")).toBe("short");

    expect((await store.get("basic/missing"))._unsafeUnwrap()).toBeNull();
    expect((await store.head("basic/missing"))._unsafeUnwrap()).toBeNull();
  });

  it("refuses keys that could escape the prefix", async () => {
    for (const key of ["../evil", "a//b", "/abs", "a/./b", ""]) {
      const result = await store.put(key, "x");
      expect(result.isErr(), key).toBe(true);
      expect(result._unsafeUnwrapErr().kind).toBe("config");
    }
  });

  it("lists more than 1000 keys across nested prefixes, sorted, with prefix (not directory) semantics", async () => {
    const expected: string[] = [];
    for (let index = 0; index < 1040; index++) expected.push(`many/a/${String(index).padStart(5, "0")}.txt`);
    expected.push("many/a/deep/er/x.txt", "many/ab/y.txt", "many/b/z.txt");
    for (let start = 0; start < expected.length; start += 40) {
      const batch = expected.slice(start, start + 40);
      const results = await Promise.all(batch.map((key) => store.put(key, key)));
      for (const result of results) expect(result.isOk()).toBe(true);
    }
    const all = (await store.list("many/"))._unsafeUnwrap();
    expect(all.map((info) => info.key)).toEqual([...expected].sort());
    expect(all.find((info) => info.key === "many/ab/y.txt")?.sizeBytes).toBe("many/ab/y.txt".length);

    const underA = (await store.list("many/a/"))._unsafeUnwrap().map((info) => info.key);
    expect(underA).toEqual(expected.filter((key) => key.startsWith("many/a/")).sort());
    const startingA = (await store.list("many/a"))._unsafeUnwrap().map((info) => info.key);
    expect(startingA).toEqual(expected.filter((key) => key.startsWith("many/a")).sort());
    expect(startingA).toContain("many/ab/y.txt");
    expect((await store.list("many/a/deep/"))._unsafeUnwrap().map((info) => info.key)).toEqual([
      "many/a/deep/er/x.txt",
    ]);
    expect((await store.list("nothing-here/"))._unsafeUnwrap()).toEqual([]);
  });

  it("deletes keys, missing ones included, in batches above 1000", async () => {
    const keys = Array.from({ length: 1010 }, (_, index) => `gone/${index}`);
    for (let start = 0; start < keys.length; start += 50) {
      await Promise.all(keys.slice(start, start + 50).map((key) => store.put(key, "x")));
    }
    await store.put("gone-not/keep", "x");
    const deleted = await store.delete([...keys, "gone/never-existed"]);
    expect(deleted.isOk()).toBe(true);
    expect((await store.list("gone/"))._unsafeUnwrap()).toEqual([]);
    expect(await raw("gone/5")).toBeNull();
    expect(await raw("gone-not/keep")).not.toBeNull();
  });

  it("streams a 40 MiB file up (multipart on S3) and down with identical bytes", async () => {
    const source = join(scratch, `${name}-big.bin`);
    // Not a multiple of the 5 MiB part size, so the last part is short.
    const size = 40 * 1024 * 1024 + 12_345;
    const chunk = randomBytes(1024 * 1024);
    const big = Buffer.alloc(size);
    for (let offset = 0; offset < size; offset += chunk.length) chunk.copy(big, offset, 0, size - offset);
    big.writeUInt32BE(0xdeadbeef, size - 4); // make the tail differ from a repeated chunk
    await writeFile(source, big);
    const expectedSha = createHash("sha256").update(big).digest("hex");

    const uploaded = await store.putFile("big/file.bin", source);
    expect(uploaded._unsafeUnwrap()).toEqual({ key: "big/file.bin", sizeBytes: size });
    const rawBytes = await raw("big/file.bin");
    expect(rawBytes?.length).toBe(size);
    expect(
      createHash("sha256")
        .update(rawBytes ?? "")
        .digest("hex"),
    ).toBe(expectedSha);

    const target = join(scratch, `${name}-down`, "nested", "copy.bin");
    const downloaded = await store.getToFile("big/file.bin", target);
    expect(downloaded._unsafeUnwrap()).toEqual({ key: "big/file.bin", sizeBytes: size });
    expect((await stat(target)).size).toBe(size);
    expect(await sha256OfFile(target)).toBe(expectedSha);
  });

  it("puts a small file with one request and downloads a missing key as an error", async () => {
    const source = join(scratch, `${name}-small.txt`);
    await writeFile(source, "small file\n");
    expect((await store.putFile("small/file.txt", source))._unsafeUnwrap().sizeBytes).toBe(11);
    expect((await raw("small/file.txt"))?.toString()).toBe("small file\n");
    const missing = await store.getToFile("small/none.txt", join(scratch, `${name}-none.txt`));
    expect(missing.isErr()).toBe(true);
  });

  it("getVersioned returns the bytes with the version put reported; the version follows the content", async () => {
    const first = (await store.put("cas/versions.json", '{"n":1}'))._unsafeUnwrap().version;
    const read = (await store.getVersioned("cas/versions.json"))._unsafeUnwrap();
    expect(Buffer.from(read?.body ?? []).toString()).toBe('{"n":1}');
    expect(read?.version).toBe(first);
    expect((await store.getVersioned("cas/versions.json"))._unsafeUnwrap()?.version).toBe(first);
    const second = (await store.put("cas/versions.json", '{"n":2}'))._unsafeUnwrap().version;
    expect(second).not.toBe(first);
    expect((await store.getVersioned("cas/versions.json"))._unsafeUnwrap()?.version).toBe(second);
    expect((await store.getVersioned("cas/missing.json"))._unsafeUnwrap()).toBeNull();
  });

  it("ifNoneMatch creates a missing key once and then refuses with a non-retryable conflict", async () => {
    const created = await store.put("cas/create.json", "first", { ifNoneMatch: true });
    expect(created.isOk()).toBe(true);
    const refused = (await store.put("cas/create.json", "second", { ifNoneMatch: true }))._unsafeUnwrapErr();
    expect(refused.kind).toBe("conflict");
    expect(refused.retryable).toBe(false);
    expect(refused.message).toContain(store.uriFor("cas/create.json"));
    expect(refused.message).toContain("already exists");
    expect((await raw("cas/create.json"))?.toString()).toBe("first");
  });

  it("ifMatch replaces only the version read; a stale or missing version is a conflict", async () => {
    const v1 = (await store.put("cas/update.json", "v1"))._unsafeUnwrap().version ?? "";
    const v2 = (await store.put("cas/update.json", "v2", { ifMatch: v1 }))._unsafeUnwrap().version ?? "";
    expect((await raw("cas/update.json"))?.toString()).toBe("v2");

    const stale = (await store.put("cas/update.json", "lost update", { ifMatch: v1 }))._unsafeUnwrapErr();
    expect(stale.kind).toBe("conflict");
    expect(stale.retryable).toBe(false);
    expect(stale.message).toContain(`no longer version ${v1}`);
    expect((await raw("cas/update.json"))?.toString()).toBe("v2");

    const missing = (await store.put("cas/never-written.json", "x", { ifMatch: v2 }))._unsafeUnwrapErr();
    expect(missing.kind).toBe("conflict");
    expect(await raw("cas/never-written.json")).toBeNull();
  });

  it("of 8 concurrent writers with the same ifMatch version exactly one wins; the rest get conflict", async () => {
    const base = (await store.put("cas/race.json", "base"))._unsafeUnwrap().version ?? "";
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        store.put("cas/race.json", `writer ${index}`, { ifMatch: base }),
      ),
    );
    const winners = outcomes.flatMap((outcome, index) => (outcome.isOk() ? [index] : []));
    expect(winners).toHaveLength(1);
    for (const outcome of outcomes) if (outcome.isErr()) expect(outcome.error.kind).toBe("conflict");
    expect((await raw("cas/race.json"))?.toString()).toBe(`writer ${winners[0]}`);
  });

  it("leaves no lock or temp file visible to list after conditional puts", async () => {
    await store.put("cas-list/a.json", "a", { ifNoneMatch: true });
    const a = (await store.getVersioned("cas-list/a.json"))._unsafeUnwrap()?.version ?? "";
    await store.put("cas-list/a.json", "b", { ifMatch: a });
    expect((await store.list("cas-list/"))._unsafeUnwrap().map((object) => object.key)).toEqual([
      "cas-list/a.json",
    ]);
  });

  it("names keys with absolute URIs under its base URI", async () => {
    const uri = store.uriFor("part/x=1/file.parquet");
    expect(uri.startsWith(`${store.baseUri}/`)).toBe(true);
    if (name === "s3") {
      expect(store.baseUri).toBe(`s3://${services.s3.bucket}/${s3Prefix}`);
      expect(uri).toBe(`s3://${services.s3.bucket}/${s3Prefix}/part/x=1/file.parquet`);
    } else {
      await store.put("part/x=1/file.parquet", "pq");
      expect(await readFile(fileURLToPath(uri), "utf8")).toBe("pq");
    }
  });
});
