import { describe, expect, it } from "vitest";
import { parseLakeUrl } from "../../src/object-store/index.js";

describe("parseLakeUrl", () => {
  it.each([
    ["s3://my-bucket", { kind: "s3", bucket: "my-bucket", prefix: "" }],
    ["s3://my-bucket/", { kind: "s3", bucket: "my-bucket", prefix: "" }],
    ["s3://my.bucket-1/lake/raw/", { kind: "s3", bucket: "my.bucket-1", prefix: "lake/raw" }],
    ["  s3://abc/x  ", { kind: "s3", bucket: "abc", prefix: "x" }],
    ["file:///var/lib/sluice/lake", { kind: "file", directory: "/var/lib/sluice/lake" }],
    ["file:///var/lib/sluice/lake/", { kind: "file", directory: "/var/lib/sluice/lake" }],
    ["file:///tmp/with%20space", { kind: "file", directory: "/tmp/with space" }],
    ["/data/lake", { kind: "file", directory: "/data/lake" }],
    ["/data//lake/../lake2/", { kind: "file", directory: "/data/lake2" }],
    ["/", { kind: "file", directory: "/" }],
  ])("accepts %s", (url, expected) => {
    expect(parseLakeUrl(url)._unsafeUnwrap()).toEqual(expected);
  });

  it.each([
    ["", "is empty"],
    ["s3://", "invalid bucket name"],
    ["s3://Upper/x", "invalid bucket name"],
    ["s3://ab/x", "invalid bucket name"],
    ["s3://a..b/x", "invalid bucket name"],
    ["s3://bucket/a//b", "empty, '.' or '..' segment"],
    ["s3://bucket/a/../b", "empty, '.' or '..' segment"],
    ["s3://bucket/a?versionId=1", "query or fragment"],
    ["file://host/dir", "not a valid file URL"],
    ["gs://bucket/x", "unsupported scheme"],
    ["lake/dir", "relative path"],
    ["./lake", "relative path"],
  ])("refuses %j with a one-line config error naming the URL and the accepted forms", (url, why) => {
    const error = parseLakeUrl(url)._unsafeUnwrapErr();
    expect(error.kind).toBe("config");
    expect(error.message).toContain(`"${url.trim()}"`);
    expect(error.message).toContain(why);
    expect(error.message).toContain("s3://bucket/prefix, file:///absolute/dir");
    expect(error.message).not.toContain("\n");
  });
});
