/**
 * Gives a large buffer's memory back now instead of at V8's next full collection.
 *
 * A Buffer that lived long enough to reach V8's old space is freed only by a full GC,
 * and V8 schedules those by the size of its own heap, not by the external memory such
 * buffers hold: a process that keeps replacing multi-megabyte buffers (growing sinks,
 * upload parts) piles tens of MiB of them up as garbage in between
 * (docs/adr/0017-perf-bytes-bounded-memory.md). Detaching the buffer's ArrayBuffer
 * (`transfer(0)`) releases the memory at once.
 *
 * Only for a buffer its caller owns outright: it must span its whole ArrayBuffer
 * (Node's small pooled buffers share one, and are left alone) and nothing may read it
 * afterwards (every view of it becomes empty).
 */
export function freeBufferNow(buffer: Uint8Array): void {
  const whole = buffer.buffer;
  if (
    whole instanceof ArrayBuffer &&
    buffer.byteOffset === 0 &&
    buffer.byteLength === whole.byteLength &&
    buffer.byteLength > 0
  ) {
    (whole as ArrayBuffer & { transfer(newLength: number): ArrayBuffer }).transfer(0);
  }
}
