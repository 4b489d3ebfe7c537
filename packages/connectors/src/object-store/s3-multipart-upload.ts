import { open } from "node:fs/promises";
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { freeBufferNow } from "@sluice/core";

/** S3 allows at most 10,000 parts; every part but the last must be at least 5 MiB. */
const maxParts = 10_000;

/**
 * Uploads a local file in parts. Each part is read into a buffer (so the SDK can retry
 * a part by resending the buffer) and at most `concurrency` parts are in flight, each
 * worker reusing its buffer: memory stays at concurrency x partSize whatever the file size.
 * On any failure the upload is aborted so S3 does not keep (and bill) orphan parts.
 */
export async function uploadFileInParts(options: {
  client: S3Client;
  bucket: string;
  key: string;
  localPath: string;
  sizeBytes: number;
  partSizeBytes: number;
  concurrency: number;
}): Promise<void> {
  const { client, bucket, key } = options;
  const partSize = Math.max(options.partSizeBytes, Math.ceil(options.sizeBytes / maxParts));
  const partCount = Math.max(1, Math.ceil(options.sizeBytes / partSize));

  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`CreateMultipartUpload for ${key} returned no UploadId`);

  const file = await open(options.localPath, "r");
  try {
    const completed: CompletedPart[] = new Array(partCount);
    let next = 0;
    let failed = false;
    const worker = async () => {
      // One buffer per worker, reused for each of its parts: a part is sent (and
      // retried) from it and done with once `send` settles. A fresh buffer per part was
      // a part size of garbage each time, freed only at V8's next full GC.
      let reused: Buffer | undefined;
      while (next < partCount && !failed) {
        const index = next++;
        const start = index * partSize;
        const length = Math.min(partSize, options.sizeBytes - start);
        reused ??= Buffer.allocUnsafe(partSize);
        const buffer = reused.subarray(0, length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await file.read(buffer, filled, length - filled, start + filled);
          if (bytesRead === 0) throw new Error(`${options.localPath} shrank while uploading it`);
          filled += bytesRead;
        }
        const answer = await client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: index + 1,
            Body: buffer,
            ContentLength: length,
          }),
        );
        completed[index] = { PartNumber: index + 1, ETag: answer.ETag };
      }
      // Every part it sent was accepted, so no socket write still reads the buffer: free
      // it now rather than at the next full GC. (After a failure a request may still be
      // writing from it; that one is left to the collector.)
      if (reused) freeBufferNow(reused);
    };
    // allSettled, not all: abort only once no part is still in flight, else a late
    // part could land after the abort and linger.
    const outcomes = await Promise.allSettled(
      Array.from({ length: Math.min(options.concurrency, partCount) }, () =>
        worker().catch((thrown) => {
          failed = true;
          throw thrown;
        }),
      ),
    );
    const rejected = outcomes.find((outcome) => outcome.status === "rejected");
    if (rejected) throw rejected.reason;
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: completed },
      }),
    );
  } catch (thrown) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined); // the original failure is the one worth reporting
    throw thrown;
  } finally {
    await file.close();
  }
}
