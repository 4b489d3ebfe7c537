import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { describe, expect, inject, it } from "vitest";
import { createTestS3Client } from "../src/index.js";

// The S3 stand-in (s3rver, patched: patches/s3rver@3.7.1.patch) must honour
// conditional writes the way S3 does, else compare-and-set tested against it proves
// nothing. Each test uses its own key prefix.
describe("s3rver conditional writes (If-None-Match / If-Match)", () => {
  const services = inject("sluiceServices");
  const client = createTestS3Client(services.s3);
  const Bucket = services.s3.bucket;
  let counter = 0;
  const freshKey = (name: string) => `conditional-${process.pid}-${Date.now()}-${counter++}/${name}`;

  const read = async (Key: string) => {
    const answer = await client.send(new GetObjectCommand({ Bucket, Key }));
    return { body: (await answer.Body?.transformToString()) ?? "", etag: answer.ETag };
  };

  // The SDK error for a refused request: status, S3 error code and the raw XML body.
  const failureOf = async (request: Promise<unknown>) => {
    const thrown = await request.then(
      () => null,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(S3ServiceException);
    const error = thrown as S3ServiceException;
    return { status: error.$metadata.httpStatusCode, code: error.name, message: error.message };
  };

  it("If-None-Match: * creates a missing key and refuses an existing one with 412, keeping the first body", async () => {
    const Key = freshKey("create-only.json");
    const created = await client.send(new PutObjectCommand({ Bucket, Key, Body: "first", IfNoneMatch: "*" }));
    expect(created.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const refused = await failureOf(
      client.send(new PutObjectCommand({ Bucket, Key, Body: "second", IfNoneMatch: "*" })),
    );
    expect(refused).toEqual({
      status: 412,
      code: "PreconditionFailed",
      message: "At least one of the pre-conditions you specified did not hold",
    });
    expect(await read(Key)).toEqual({ body: "first", etag: created.ETag });
  });

  it("If-Match: <etag> replaces the object only while its ETag is the one given", async () => {
    const Key = freshKey("cas.json");
    const v1 = await client.send(new PutObjectCommand({ Bucket, Key, Body: "v1" }));
    const v2 = await client.send(new PutObjectCommand({ Bucket, Key, Body: "v2", IfMatch: v1.ETag }));
    expect(v2.ETag).not.toBe(v1.ETag);
    // a writer still holding v1's ETag lost the race
    const stale = await failureOf(
      client.send(new PutObjectCommand({ Bucket, Key, Body: "v2'", IfMatch: v1.ETag })),
    );
    expect(stale.status).toBe(412);
    expect(stale.code).toBe("PreconditionFailed");
    expect(await read(Key)).toEqual({ body: "v2", etag: v2.ETag });
    // S3 compares ETags without their quotes
    const unquoted = String(v2.ETag).replaceAll('"', "");
    await client.send(new PutObjectCommand({ Bucket, Key, Body: "v3", IfMatch: unquoted }));
    expect((await read(Key)).body).toBe("v3");
  });

  it("If-Match on a key that does not exist fails and creates nothing", async () => {
    const Key = freshKey("missing.json");
    const refused = await failureOf(
      client.send(
        new PutObjectCommand({ Bucket, Key, Body: "x", IfMatch: '"0123456789abcdef0123456789abcdef"' }),
      ),
    );
    expect(refused.status).toBe(412);
    const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix: Key }));
    expect(listed.KeyCount).toBe(0);
  });

  it("If-None-Match with an ETag instead of * is refused as not implemented, as S3 does for writes", async () => {
    const Key = freshKey("etag-none-match.json");
    const refused = await failureOf(
      client.send(new PutObjectCommand({ Bucket, Key, Body: "x", IfNoneMatch: '"abc"' })),
    );
    expect(refused.status).toBe(501);
    expect(refused.code).toBe("NotImplemented");
  });

  it("the 412 answer carries S3's XML error body", async () => {
    const Key = freshKey("xml.json");
    await client.send(new PutObjectCommand({ Bucket, Key, Body: "x" }));
    const response = await fetch(`${services.s3.endpoint}/${Bucket}/${Key}`, {
      method: "PUT",
      // unsigned: s3rver lets anonymous requests through, which shows the raw answer
      headers: { "If-None-Match": "*" },
      body: "y",
    });
    expect(response.status).toBe(412);
    expect(response.headers.get("content-type")).toMatch(/application\/xml/);
    const xml = await response.text();
    expect(xml).toContain("<Code>PreconditionFailed</Code>");
    expect(xml).toContain("<Condition>If-None-Match</Condition>");
    expect((await read(Key)).body).toBe("x");
  });

  it("of 12 concurrent If-None-Match: * writers exactly one wins and its body is stored", async () => {
    const Key = freshKey("race-create.json");
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        client.send(new PutObjectCommand({ Bucket, Key, Body: `writer ${index}`, IfNoneMatch: "*" })),
      ),
    );
    const winners = outcomes.flatMap((outcome, index) => (outcome.status === "fulfilled" ? [index] : []));
    expect(winners).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === "rejected")
        expect((outcome.reason as S3ServiceException).name).toBe("PreconditionFailed");
    }
    expect((await read(Key)).body).toBe(`writer ${winners[0]}`);
  });

  it("of 12 concurrent If-Match writers holding the same ETag exactly one wins", async () => {
    const Key = freshKey("race-cas.json");
    const base = await client.send(new PutObjectCommand({ Bucket, Key, Body: "base" }));
    // bodies big enough that uploads overlap rather than run one after another
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        client.send(
          new PutObjectCommand({
            Bucket,
            Key,
            Body: `${index}:`.padEnd(256 * 1024, "x"),
            IfMatch: base.ETag,
          }),
        ),
      ),
    );
    const winners = outcomes.flatMap((outcome, index) => (outcome.status === "fulfilled" ? [index] : []));
    expect(winners).toHaveLength(1);
    expect((await read(Key)).body.startsWith(`${winners[0]}:`)).toBe(true);
  });

  it("CompleteMultipartUpload honours If-None-Match and If-Match, and a refused upload can still complete", async () => {
    const Key = freshKey("multipart.bin");
    const existing = await client.send(new PutObjectCommand({ Bucket, Key, Body: "existing" }));
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const part = await client.send(
      new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: "multipart body" }),
    );
    const complete = {
      Bucket,
      Key,
      UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    };

    const exists = await failureOf(
      client.send(new CompleteMultipartUploadCommand({ ...complete, IfNoneMatch: "*" })),
    );
    expect(exists.status).toBe(412);
    const wrongTag = await failureOf(
      client.send(
        new CompleteMultipartUploadCommand({ ...complete, IfMatch: '"ffffffffffffffffffffffffffffffff"' }),
      ),
    );
    expect(wrongTag.status).toBe(412);
    expect((await read(Key)).body).toBe("existing");

    // the refused attempts left the upload and its parts in place
    await client.send(new CompleteMultipartUploadCommand({ ...complete, IfMatch: existing.ETag }));
    expect((await read(Key)).body).toBe("multipart body");
  });

  it("unconditional writes still overwrite, and listings stay whole while writes land", async () => {
    const prefix = freshKey("listing/");
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        client.send(new PutObjectCommand({ Bucket, Key: `${prefix}${index}`, Body: "a" })),
      ),
    );
    // overwrite every key while listing: temporary files must never show up or break the listing
    const overwrites = Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        client.send(new PutObjectCommand({ Bucket, Key: `${prefix}${index}`, Body: "bb" })),
      ),
    );
    const listings = await Promise.all(
      Array.from({ length: 5 }, () => client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix }))),
    );
    await overwrites;
    for (const listing of listings) expect(listing.KeyCount).toBe(40);
    expect((await read(`${prefix}7`)).body).toBe("bb");
  });
});
