import { rm } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import {
  isPackedBatch,
  type PackedRows,
  type SluiceError,
  type SourceValue,
  sluiceError,
} from "@sluice/core";
import type { ParquetPartOptions, ParquetPartSummary, ParquetPartWriter } from "./parquet-part-writer.js";
import type { PartWorkerReply, PartWorkerRequest } from "./part-writer-messages.js";

/**
 * Row batches posted to the worker and not yet encoded, beyond which `write` waits:
 * the thread reading rows stays at most this far ahead of the encoder, which bounds
 * the copies in flight (each batch is bounded by bytes upstream).
 */
const MAX_BATCHES_IN_FLIGHT = 2;

/**
 * The worker script, compiled next to this module's package in dist/. Resolved
 * through `../dist/` so it is found both from dist/ (the CLI) and from src/ (tests run
 * the TypeScript sources; the package must be built first, as `pnpm build` does).
 */
const workerUrl = new URL("../dist/part-writer-worker.js", import.meta.url);

/**
 * Heap cap of a part worker (MiB): a row group (32 MiB of pages), one in flight, one
 * batch copy and the open pages fit well within it; it keeps V8 from letting garbage
 * pile up on a long run (docs/adr/0017-perf-bytes-bounded-memory.md).
 */
const WORKER_OLD_SPACE_MB = 192;

/** A started worker no part holds, and the listener that drops it if it dies meanwhile. */
let spare: { readonly worker: Worker; readonly drop: () => void } | null = null;
/** The worker behind each threaded writer, for tests that end it as a crash would. */
const workers = new WeakMap<ParquetPartWriter, Worker>();
export const partWorkerOf = (writer: ParquetPartWriter): Worker | undefined => workers.get(writer);

function startWorker(): Worker {
  const worker = new Worker(workerUrl, {
    // Not the parent's flags: a test runner's `--conditions source` would make the
    // compiled worker import TypeScript sources.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_SPACE_MB },
  });
  // An idle worker must not keep the process alive; a part in progress refs it.
  worker.unref();
  return worker;
}

/**
 * Starts a part worker ahead of need (its start-up, ~30-60 ms of module loading,
 * then overlaps the run's planning); the next threaded part takes it.
 */
export function prewarmPartWorker(): void {
  if (spare === null) keepAsSpare(startWorker());
}

/** A spare that fails or exits while it waits is dropped quietly; the next part starts its own. */
function keepAsSpare(worker: Worker): void {
  const drop = () => {
    if (spare?.worker === worker) spare = null;
  };
  spare = { worker, drop };
  worker.once("error", drop);
  worker.once("exit", drop);
}

/** The spare worker, no longer listened to as a spare; null if there is none. */
function takeSpare(): Worker | null {
  const taken = spare;
  spare = null;
  if (taken === null) return null;
  taken.worker.off("error", taken.drop);
  taken.worker.off("exit", taken.drop);
  return taken.worker;
}

/** Stops a pre-started worker no part took (a run that found no rows). */
export async function releaseSparePartWorker(): Promise<void> {
  const worker = takeSpare();
  if (worker !== null) await worker.terminate();
}

interface Waiting {
  resolve(reply: PartWorkerReply & { ok: true }): void;
  reject(error: SluiceError): void;
}

/**
 * A ParquetPartWriter whose encoding, compression and file writes run on a worker
 * thread, so the calling thread only reads rows (mysql2's parsing) and the two use
 * both cores. Batches are copied to the worker (structured clone), at most
 * MAX_BATCHES_IN_FLIGHT ahead. The file is byte-identical to the in-line writer's:
 * the worker runs that very writer. Failures keep their SluiceError kind; a worker
 * that dies is an `internal` error, and the part's file is removed.
 */
export function createThreadedParquetPartWriter(options: ParquetPartOptions): ParquetPartWriter {
  const { table, path } = options;
  const worker = takeSpare() ?? startWorker();
  worker.ref();
  const waiting = new Map<number, Waiting>();
  const inFlight: Promise<unknown>[] = [];
  let nextId = 0;
  let totalRows = 0;
  let failure: SluiceError | null = null;
  let state: "open" | "failed" | "closed" = "open";
  // Columns whose values may be Buffers: views into mysql2's packet buffers, which a
  // structured clone would copy whole; they are copied down to their own bytes first.
  const byteColumns = options.columns.flatMap((column, index) =>
    column.logical.kind === "binary" || column.logical.kind === "bit" || column.logical.kind === "string"
      ? [index]
      : [],
  );

  const fail = (error: SluiceError): void => {
    failure ??= error;
    for (const request of waiting.values()) request.reject(failure);
    waiting.clear();
  };
  const onMessage = (reply: PartWorkerReply) => {
    const request = waiting.get(reply.id);
    if (request === undefined) return;
    waiting.delete(reply.id);
    if (reply.ok) request.resolve(reply);
    else
      request.reject(
        sluiceError(reply.error.kind, reply.error.message, { retryable: reply.error.retryable }),
      );
  };
  const onError = (error: Error) =>
    fail(
      sluiceError(
        "internal",
        `Parquet part ${path} for table ${table}: the encoding worker failed (${error.message}); the part is discarded. Run again; if it repeats, report it.`,
        { cause: error },
      ),
    );
  const onExit = (code: number) => {
    if (state === "closed") return;
    fail(
      sluiceError(
        "internal",
        `Parquet part ${path} for table ${table}: the encoding worker exited with code ${code} before the part was finished; the part is discarded. Run again; if it repeats, report it.`,
      ),
    );
  };
  worker.on("message", onMessage);
  worker.on("error", onError);
  worker.on("exit", onExit);

  const send = (
    request: PartWorkerRequest,
    transfer: ArrayBuffer[] = [],
  ): Promise<PartWorkerReply & { ok: true }> => {
    if (failure !== null) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      waiting.set(request.id, { resolve, reject });
      worker.postMessage(request, transfer);
    });
  };
  const track = <T>(promise: Promise<T>): Promise<T> => {
    // Rejections surface through the next write/finish; never unhandled meanwhile.
    promise.catch(() => undefined);
    return promise;
  };

  inFlight.push(track(send({ type: "open", id: nextId++, options })));

  const assertOpen = (action: string): void => {
    if (state !== "open") {
      throw sluiceError(
        "internal",
        `Parquet part ${path} for table ${table}: ${action} after the part was ${state}.`,
      );
    }
  };
  const drain = async (keep: number): Promise<void> => {
    while (inFlight.length > keep) await inFlight.shift();
  };
  const stop = async (): Promise<void> => {
    state = "closed";
    await worker.terminate();
  };
  /**
   * After a part that finished cleanly the worker is kept for the next part (the
   * spare the next threaded writer takes; releaseSparePartWorker ends it): a new
   * isolate per part cost start-up and left its memory to the allocator, and peak
   * RSS rose part by part (229 MiB on 5M rows against 193 MiB on 1M).
   */
  const keepForNextPart = (): void => {
    state = "closed";
    worker.off("message", onMessage);
    worker.off("error", onError);
    worker.off("exit", onExit);
    worker.unref();
    if (spare === null) keepAsSpare(worker);
    else void worker.terminate();
  };

  const writer: ParquetPartWriter = {
    get rows() {
      return totalRows;
    },

    async write(batch): Promise<void> {
      assertOpen("write");
      try {
        if (failure !== null) throw failure;
        if (isPackedBatch(batch)) {
          const packed = transferable(batch.packed);
          inFlight.push(track(send({ type: "write-packed", id: nextId++, packed }, [packed.bytes.buffer])));
          totalRows += packed.rowCount;
        } else {
          const rows = byteColumns.length > 0 ? ownBytes(batch.rows, byteColumns) : batch.rows;
          inFlight.push(track(send({ type: "write", id: nextId++, rows })));
          totalRows += batch.rows.length;
        }
        await drain(MAX_BATCHES_IN_FLIGHT);
      } catch (error) {
        state = "failed";
        throw error;
      }
    },

    async finish(): Promise<ParquetPartSummary> {
      assertOpen("finish");
      try {
        await drain(0);
        const reply = await send({ type: "finish", id: nextId++ });
        keepForNextPart();
        if (reply.summary === undefined) throw sluiceError("internal", `Parquet part ${path}: no summary`);
        return reply.summary;
      } catch (error) {
        state = "failed";
        throw error;
      }
    },

    async abort(): Promise<void> {
      if (failure === null && state !== "closed") {
        await send({ type: "abort", id: nextId++ }).catch(() => undefined);
      }
      await stop();
      // The worker may have died mid-write: the file is removed here either way.
      await rm(path, { force: true });
    },
  };
  workers.set(writer, worker);
  return writer;
}

/**
 * Packed rows whose bytes can be transferred: their own ArrayBuffer (not a view into
 * Node's shared pool, whose transfer would detach every other Buffer in it), else a copy.
 */
function transferable(packed: PackedRows): PackedRows & { readonly bytes: Uint8Array<ArrayBuffer> } {
  const bytes = packed.bytes;
  if (bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && !isPooled(bytes)) {
    return { ...packed, bytes: bytes as Uint8Array<ArrayBuffer> };
  }
  return { ...packed, bytes: new Uint8Array(bytes) };
}

/** Node's Buffer pool: small Buffers share one 8 KiB ArrayBuffer. */
const isPooled = (bytes: Uint8Array): boolean =>
  Buffer.isBuffer(bytes) && bytes.buffer.byteLength === Buffer.poolSize && bytes.byteLength < Buffer.poolSize;

/** The rows, with every Buffer value of `columns` that views a larger buffer copied to its own. */
function ownBytes(
  rows: readonly (readonly SourceValue[])[],
  columns: readonly number[],
): readonly (readonly SourceValue[])[] {
  let copied: SourceValue[][] | null = null;
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index] as readonly SourceValue[];
    for (const column of columns) {
      const value = row[column];
      if (value instanceof Uint8Array && value.byteLength !== value.buffer.byteLength) {
        copied ??= rows.map((each) => [...each]);
        // A copy with its own ArrayBuffer (Buffer#slice would be another view).
        (copied[index] as SourceValue[])[column] = new Uint8Array(value);
      }
    }
  }
  return copied ?? rows;
}
