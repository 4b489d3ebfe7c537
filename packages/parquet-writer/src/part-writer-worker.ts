import { parentPort } from "node:worker_threads";
import { freeBufferNow, isSluiceError, toSluiceError } from "@sluice/core";
import { createParquetPartWriter, type ParquetPartWriter } from "./parquet-part-writer.js";
import type { PartWorkerReply, PartWorkerRequest } from "./part-writer-messages.js";

/**
 * The worker side of the threaded part writer (threaded-part-writer.ts): runs the very
 * same in-line writer — encoders, page compression, file writes — on its own thread,
 * one request at a time, in the order they were posted.
 */
const port = parentPort;
if (port === null) throw new Error("part-writer-worker.js must run as a worker thread");

let writer: ParquetPartWriter | null = null;
let queue: Promise<void> = Promise.resolve();

const handle = async (request: PartWorkerRequest): Promise<PartWorkerReply> => {
  switch (request.type) {
    case "open":
      writer = createParquetPartWriter({ ...request.options, compressionThread: "main" });
      return { id: request.id, ok: true };
    case "write":
      await current().write({ rows: request.rows });
      return { id: request.id, ok: true };
    case "write-packed":
      // The in-line writer encodes it: here, on this thread. Its buffer, transferred
      // here and now copied into the pages, is freed at once: left to V8, such buffers
      // piled up to ~40 MiB between collections on tables of 10 KiB values.
      await current().write({ packed: request.packed, lastRow: [] });
      freeBufferNow(request.packed.bytes);
      return { id: request.id, ok: true };
    case "finish": {
      const summary = await current().finish();
      writer = null;
      return { id: request.id, ok: true, summary };
    }
    case "abort":
      await writer?.abort();
      writer = null;
      return { id: request.id, ok: true };
  }
};

function current(): ParquetPartWriter {
  if (writer === null) throw new Error("no part is open on this worker");
  return writer;
}

port.on("message", (request: PartWorkerRequest) => {
  queue = queue.then(async () => {
    let reply: PartWorkerReply;
    try {
      reply = await handle(request);
    } catch (thrown) {
      const error = isSluiceError(thrown)
        ? thrown
        : toSluiceError(thrown, "internal", `Parquet part worker (${request.type})`);
      reply = {
        id: request.id,
        ok: false,
        error: { kind: error.kind, message: error.message, retryable: error.retryable },
      };
    }
    port.postMessage(reply);
  });
});
