import { Worker } from "node:worker_threads";

/**
 * One process-wide worker thread running `zstdCompressSync` on page bodies, so ZSTD
 * (a quarter of the encoding time at level 1) runs on the second core while the
 * JavaScript thread keeps encoding and parsing rows. A worker rather than the
 * async `zlib.zstdCompress`: the latter needs the JavaScript thread between its pool
 * steps, which it does not get while a batch is being encoded, so pages queued up and
 * the writer ended up waiting (measured: slower than compressing in line).
 *
 * The worker is written inline (`eval`) so it loads the same way from `src/` (tests)
 * and `dist/`; it uses only `node:` modules. Page bodies are transferred, not copied.
 */
const workerSource = `
const { parentPort } = require("node:worker_threads");
const { constants, zstdCompressSync } = require("node:zlib");
parentPort.on("message", ({ id, body, level }) => {
  try {
    const result = zstdCompressSync(body, { params: { [constants.ZSTD_c_compressionLevel]: level } });
    // Transfer only a buffer that owns its memory (never a slice of a shared pool).
    const out = result.byteOffset === 0 && result.byteLength === result.buffer.byteLength
      ? result : new Uint8Array(result);
    parentPort.postMessage({ id, out }, [out.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Pending {
  resolve(out: Buffer): void;
  reject(error: Error): void;
}

interface WorkerReply {
  id: number;
  out?: Uint8Array;
  error?: string;
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

function failAll(error: Error): void {
  for (const request of pending.values()) request.reject(error);
  pending.clear();
  worker = undefined;
}

function compressWorker(): Worker {
  if (worker !== undefined) return worker;
  const started = new Worker(workerSource, { eval: true });
  started.on("message", (reply: WorkerReply) => {
    const request = pending.get(reply.id);
    if (request === undefined) return;
    pending.delete(reply.id);
    // Idle: let the process exit even though the worker lives on.
    if (pending.size === 0) started.unref();
    if (reply.out !== undefined) {
      request.resolve(Buffer.from(reply.out.buffer, reply.out.byteOffset, reply.out.byteLength));
    } else {
      request.reject(new Error(`ZSTD compression failed: ${reply.error ?? "unknown error"}`));
    }
  });
  started.on("error", (error) => failAll(error));
  started.on("exit", (code) => {
    if (worker === started) failAll(new Error(`ZSTD compression worker exited with code ${code}`));
  });
  started.unref();
  worker = started;
  return started;
}

/**
 * Compresses `body` on the worker. `body` must own its whole ArrayBuffer (allocate it
 * with `Buffer.allocUnsafeSlow`): it is transferred, and is unusable here afterwards.
 */
export function zstdCompressOnWorker(body: Buffer, level: number): Promise<Buffer> {
  const target = compressWorker();
  const id = nextId++;
  return new Promise<Buffer>((resolve, reject) => {
    // A request in flight keeps the process alive until its answer arrives.
    if (pending.size === 0) target.ref();
    pending.set(id, { resolve, reject });
    target.postMessage({ id, body, level }, [body.buffer as ArrayBuffer]);
  });
}
