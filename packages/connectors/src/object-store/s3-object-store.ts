import { createWriteStream } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { isSluiceError, type ObjectInfo, type ObjectStore, redactUrl, type SluiceError } from "@sluice/core";
import { errAsync, ResultAsync } from "neverthrow";
import { replaceFileAtomically } from "./atomic-file.js";
import { compareKeys, invalidKey, invalidListPrefix } from "./object-key.js";
import { isFailedCondition, isMissingObject, type S3CallContext, s3Failure } from "./s3-errors.js";
import { uploadFileInParts } from "./s3-multipart-upload.js";
import { isConditional, writeConflict } from "./write-conflict.js";

export interface S3StoreOptions {
  readonly bucket: string;
  /** Key prefix inside the bucket without leading/trailing slash; may be "". */
  readonly prefix: string;
  readonly region?: string;
  /** e.g. http://127.0.0.1:4569 for an S3-compatible server; omitted: the SDK chain decides. */
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  readonly forcePathStyle?: boolean;
  /** Files above this size go up as multipart uploads of this part size. Default 16 MiB; S3 needs >= 5 MiB. */
  readonly partSizeBytes?: number;
  /** Parts uploaded at once; memory is about partSizeBytes x this. Default 4. */
  readonly partConcurrency?: number;
  /**
   * SDK attempts per request, the first included (the SDK retries throttling such as
   * SlowDown, 5xx and dropped connections with capped, jittered backoff). Default 3;
   * the CLI sets it to the run's retry attempts + 1.
   */
  readonly maxAttempts?: number;
  /** TCP connect timeout. Default 10 s. */
  readonly connectionTimeoutMs?: number;
  /** Idle socket timeout per request. Default 120 s. */
  readonly socketTimeoutMs?: number;
}

const mebibyte = 1024 * 1024;

/**
 * The lake on S3 (or an S3-compatible server). Whatever is not given (credentials,
 * region, endpoint) is left to the SDK's default chain, which reads AWS_PROFILE,
 * AWS_REGION, AWS_ENDPOINT_URL_S3 and friends itself: this library reads no env.
 */
export function createS3ObjectStore(options: S3StoreOptions): ObjectStore {
  const prefix = options.prefix.replace(/^\/+|\/+$/g, "");
  const { bucket } = options;
  const partSizeBytes = options.partSizeBytes ?? 16 * mebibyte;
  const config: S3ClientConfig = {
    // Flexible checksums (the SDK default since 3.729) wrap streamed bodies in
    // aws-chunked framing that some S3-compatible servers (s3rver, older MinIO)
    // store verbatim; WHEN_REQUIRED keeps plain bodies and still checksums the
    // operations S3 demands it for (DeleteObjects).
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      // An idle-socket limit, not a whole-request one: a 1 GB download may take long,
      // but a server that stops sending for this long is gone.
      socketTimeout: options.socketTimeoutMs ?? 120_000,
    },
  };
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle;
  const client = new S3Client(config);
  let retried = 0;
  // The SDK's retry middleware records how many attempts a request took, on answers
  // and on errors alike; summing `attempts - 1` counts its retries without adding a
  // second retry loop around it.
  const countAttempts = (metadata: unknown) => {
    const attempts = (metadata as { $metadata?: { attempts?: number } } | null)?.$metadata?.attempts;
    if (typeof attempts === "number" && attempts > 1) retried += attempts - 1;
  };
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const answer = await next(args);
        countAttempts(answer.output);
        return answer;
      } catch (thrown) {
        countAttempts(thrown);
        throw thrown;
      }
    },
    { step: "initialize", name: "sluiceRetryCount" },
  );

  const endpointLabel = options.endpoint
    ? redactUrl(options.endpoint)
    : `AWS S3${options.region ? ` (${options.region})` : ""}`;
  const fullKey = (key: string) => (prefix === "" ? key : `${prefix}/${key}`);
  const relativeKey = (full: string) => (prefix === "" ? full : full.slice(prefix.length + 1));
  const baseUri = prefix === "" ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;

  const call = <T>(context: Omit<S3CallContext, "bucket" | "endpointLabel">, work: () => Promise<T>) =>
    ResultAsync.fromPromise(work(), (thrown) =>
      isSluiceError(thrown) ? thrown : s3Failure(thrown, { ...context, bucket, endpointLabel }),
    );

  const forKey = <T>(key: string, action: string, work: (full: string) => Promise<T>) => {
    const invalid = invalidKey(key);
    if (invalid) return errAsync<T, SluiceError>(invalid);
    const full = fullKey(key);
    return call({ action, key: full }, () => work(full));
  };

  const listAll = async (fullPrefix: string, maxKeys?: number): Promise<ObjectInfo[]> => {
    const found: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: fullPrefix,
          ContinuationToken: token,
          MaxKeys: maxKeys,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        found.push({ key: relativeKey(object.Key), sizeBytes: object.Size ?? 0 });
      }
      token = page.IsTruncated && maxKeys === undefined ? page.NextContinuationToken : undefined;
    } while (token);
    return found.sort((a, b) => compareKeys(a.key, b.key));
  };

  return {
    baseUri,
    uriFor: (key) => `s3://${bucket}/${fullKey(key)}`,
    retries: () => retried,

    put: (key, body, putOptions) =>
      forKey(key, "write", async (full) => {
        const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
        try {
          const answer = await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: full,
              Body: bytes,
              ContentLength: bytes.byteLength,
              ContentType: putOptions?.contentType,
              IfMatch: putOptions?.ifMatch,
              IfNoneMatch: putOptions?.ifNoneMatch ? "*" : undefined,
            }),
          );
          return { key, sizeBytes: bytes.byteLength, ...(answer.ETag ? { version: answer.ETag } : {}) };
        } catch (thrown) {
          if (putOptions && isConditional(putOptions) && isFailedCondition(thrown)) {
            throw writeConflict(`s3://${bucket}/${full}`, putOptions, thrown);
          }
          throw thrown;
        }
      }),

    putFile: (key, localPath) =>
      forKey(key, "upload", async (full) => {
        const { size } = await stat(localPath);
        if (size > partSizeBytes) {
          await uploadFileInParts({
            client,
            bucket,
            key: full,
            localPath,
            sizeBytes: size,
            partSizeBytes,
            concurrency: options.partConcurrency ?? 4,
          });
        } else {
          // A buffer, not a file stream: the SDK does not retry a request whose body
          // is a stream (it cannot rewind it), so a 503 or SlowDown would end the
          // upload. At most one part size is held, as for each multipart part.
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: full,
              Body: await readFile(localPath),
              ContentLength: size,
            }),
          );
        }
        return { key, sizeBytes: size };
      }),

    get: (key) =>
      forKey(key, "read", async (full) => {
        try {
          const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: full }));
          return answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array();
        } catch (thrown) {
          if (isMissingObject(thrown)) return null;
          throw thrown;
        }
      }),

    getVersioned: (key) =>
      forKey(key, "read", async (full) => {
        try {
          const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: full }));
          const body = answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array();
          if (!answer.ETag) throw new Error(`GetObject of ${full} answered without an ETag`);
          return { body, version: answer.ETag };
        } catch (thrown) {
          if (isMissingObject(thrown)) return null;
          throw thrown;
        }
      }),

    getToFile: (key, localPath) =>
      forKey(key, "download", async (full) => {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: full }));
        const body = answer.Body as Readable | undefined;
        await replaceFileAtomically(localPath, (temp) =>
          body ? pipeline(body, createWriteStream(temp)) : writeFile(temp, new Uint8Array()),
        );
        return { key, sizeBytes: (await stat(localPath)).size };
      }),

    head: (key) =>
      forKey(key, "inspect", async (full) => {
        try {
          const answer = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: full }));
          return { key, sizeBytes: answer.ContentLength ?? 0 };
        } catch (thrown) {
          if (isMissingObject(thrown)) return null;
          throw thrown;
        }
      }),

    list: (listPrefix) => {
      const invalid = invalidListPrefix(listPrefix);
      if (invalid) return errAsync(invalid);
      // With a store prefix, list("") must not match `prefix-other/...`: keep the slash.
      const fullPrefix = prefix === "" ? listPrefix : `${prefix}/${listPrefix}`;
      return call({ action: "list", key: fullPrefix }, () => listAll(fullPrefix));
    },

    delete: (keys) => {
      for (const key of keys) {
        const invalid = invalidKey(key);
        if (invalid) return errAsync(invalid);
      }
      return call({ action: "delete objects in" }, async () => {
        // DeleteObjects takes at most 1000 keys a request.
        for (let start = 0; start < keys.length; start += 1000) {
          const batch = keys.slice(start, start + 1000);
          const answer = await client.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: batch.map((key) => ({ Key: fullKey(key) })), Quiet: true },
            }),
          );
          const first = answer.Errors?.[0];
          if (first) {
            throw Object.assign(new Error(first.Message ?? "delete failed"), {
              name: first.Code ?? "DeleteFailed",
            });
          }
        }
      });
    },

    checkAccess: () =>
      // ListObjectsV2 (not HeadBucket) because its 404 names NoSuchBucket and it
      // needs only the s3:ListBucket permission a run needs anyway.
      call({ action: "list" }, () => listAll(prefix === "" ? "" : `${prefix}/`, 1)).map(() => undefined),

    close: () => client.destroy(),
  };
}
