import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { GatewaySqlError, sqlState } from "./gateway-error.js";

/** One file COPY reads, in load order (a file listed twice appears twice). */
export interface CopySourceFile {
  readonly bucket: string;
  readonly key: string;
  /** s3://bucket/key */
  readonly url: string;
  /** From the manifest's `meta.content_length`; null when COPY named a prefix. */
  readonly contentLength: number | null;
}

export function splitS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  if (!match) throw new GatewaySqlError(`invalid S3 URL '${url}'`, sqlState.syntax);
  return { bucket: match[1] as string, key: match[2] as string };
}

/** Reads a whole object; null when it does not exist. */
export async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array | null> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
  } catch (thrown) {
    const name = (thrown as { name?: string }).name;
    if (name === "NoSuchKey" || name === "NotFound" || name === "NoSuchBucket") return null;
    throw thrown;
  }
}

/**
 * The files one COPY loads. With MANIFEST: the manifest's entries in order; for
 * columnar formats each entry needs `meta.content_length` (AWS, "Using a manifest
 * to specify data files": the meta key is required to load ORC or Parquet files),
 * "if a file is listed twice, the file is loaded twice", and a missing file fails
 * the load when the entry is mandatory (default false) and is skipped otherwise
 * (COPY parameters, "Data sources: Amazon S3"). Without MANIFEST: every object
 * whose key begins with the prefix.
 */
export async function resolveCopySources(
  s3: S3Client,
  source: string,
  manifest: boolean,
): Promise<CopySourceFile[]> {
  const { bucket, key } = splitS3Url(source);
  if (!manifest) {
    const files: CopySourceFile[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith("/")) continue;
        files.push({ bucket, key: object.Key, url: `s3://${bucket}/${object.Key}`, contentLength: null });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (files.length === 0) {
      throw new GatewaySqlError(`The specified S3 prefix '${key}' does not exist`, sqlState.internal);
    }
    return files;
  }
  const body = await getObjectBytes(s3, bucket, key);
  if (body === null) {
    throw new GatewaySqlError(
      "Problem reading manifest file - S3ServiceException:The specified key does not exist.,Status 404,Error NoSuchKey",
      sqlState.internal,
      `manifest: ${source}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    throw manifestError(source, "the manifest is not valid JSON");
  }
  const entries = (parsed as { entries?: unknown })?.entries;
  if (!Array.isArray(entries)) throw manifestError(source, 'the manifest has no "entries" array');
  const files: CopySourceFile[] = [];
  for (const entry of entries as Record<string, unknown>[]) {
    const url = entry?.url;
    if (typeof url !== "string" || !/^s3:\/\/[^/]+\/.+/.test(url)) {
      throw manifestError(source, `entry ${JSON.stringify(entry)} has no full s3:// object url`);
    }
    const length = (entry.meta as { content_length?: unknown } | undefined)?.content_length;
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      throw manifestError(
        source,
        `entry '${url}' has no meta.content_length; COPY from columnar formats needs the file length of every entry`,
      );
    }
    const mandatory = entry.mandatory === true;
    const location = splitS3Url(url);
    const exists = await objectExists(s3, location.bucket, location.key);
    if (!exists) {
      if (mandatory) {
        throw new GatewaySqlError(
          `Manifest file is invalid: file '${url}' listed as mandatory does not exist`,
          sqlState.internal,
          `manifest: ${source}`,
        );
      }
      continue;
    }
    files.push({ ...location, url, contentLength: length });
  }
  return files;
}

async function objectExists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  return (page.Contents ?? []).some((object) => object.Key === key);
}

function manifestError(source: string, reason: string): GatewaySqlError {
  return new GatewaySqlError(
    `Manifest file is not in correct json format: ${reason}`,
    sqlState.internal,
    `manifest: ${source}`,
  );
}
