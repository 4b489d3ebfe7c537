import type { RowBatch, SourceValue } from "@sluice/core";

/** The part of a mysql2 (callback API) connection that streaming needs. */
export interface StreamingConnection {
  query(options: { sql: string; values: unknown[]; rowsAsArray: true }): QueryEvents;
  pause(): void;
  resume(): void;
  /**
   * mysql2 reports a connection lost during a streamed query (no callback) on the
   * connection, not on the query: without this listener the stream would wait forever.
   */
  on(event: "error", listener: (error: unknown) => void): unknown;
  removeListener(event: "error", listener: (error: unknown) => void): unknown;
}

export interface QueryEvents {
  on(event: "result", listener: (row: SourceValue[]) => void): QueryEvents;
  on(event: "error", listener: (error: unknown) => void): QueryEvents;
  on(event: "end", listener: () => void): QueryEvents;
}

/** Batches buffered ahead of the consumer before the socket is paused. */
const maxBufferedBatches = 2;

/**
 * Approximate in-memory bytes of one row's values: a string counts its length (a
 * one-byte string holds that many bytes, a two-byte one twice; either way the UTF-8
 * the encoder writes is within 3x), bytes their length, anything else 8. Cheap enough
 * per row (a typeof per value) to bound batches by bytes as well as rows.
 */
export function approximateRowBytes(row: readonly SourceValue[]): number {
  let bytes = 0;
  for (let index = 0; index < row.length; index++) {
    const value = row[index];
    if (typeof value === "string") bytes += value.length;
    else if (value instanceof Uint8Array) bytes += value.length;
    else bytes += 8;
  }
  return bytes;
}

/**
 * Streams one query's rows in batches of `batchRows` rows or `batchBytes` approximate
 * value bytes, whichever comes first (a single larger row is a batch of its own). Rows
 * are pushed by mysql2's row events straight into the current batch array (no per-row
 * promise or object); when the consumer falls behind by two batches the socket is
 * paused, so memory stays at about three batches whatever the result size — and, with
 * the byte bound, whatever the row width (docs/adr/0017-perf-bytes-bounded-memory.md).
 */
export async function* streamRowBatches(
  connection: StreamingConnection,
  sql: string,
  values: unknown[],
  batchRows: number,
  batchBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<RowBatch> {
  const countBytes = Number.isFinite(batchBytes);
  let bytes = 0;
  const ready: RowBatch[] = [];
  let batch: SourceValue[][] = [];
  let finished = false;
  let abandoned = false;
  let failure: { error: unknown } | null = null;
  let paused = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };

  const lost = (error: unknown) => {
    failure ??= { error };
    notify();
  };
  connection.on("error", lost);
  connection
    .query({ sql, values, rowsAsArray: true })
    .on("result", (row) => {
      if (abandoned) return;
      batch.push(row);
      if (countBytes) bytes += approximateRowBytes(row);
      if (batch.length >= batchRows || bytes >= batchBytes) {
        ready.push({ rows: batch });
        batch = [];
        bytes = 0;
        if (ready.length >= maxBufferedBatches && !paused) {
          paused = true;
          connection.pause();
        }
        notify();
      }
    })
    .on("error", (error) => {
      failure = { error };
      notify();
    })
    .on("end", () => {
      if (batch.length > 0 && !abandoned) ready.push({ rows: batch });
      batch = [];
      finished = true;
      notify();
    });

  try {
    for (;;) {
      if (failure) throw (failure as { error: unknown }).error;
      const next = ready.shift();
      if (next) {
        if (paused && ready.length < maxBufferedBatches) {
          paused = false;
          connection.resume();
        }
        yield next;
        continue;
      }
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    connection.removeListener("error", lost);
    if (!finished && !failure) {
      // The consumer stopped early: let the rest of the result drain unseen so the
      // connection stays usable for the next query.
      abandoned = true;
      ready.length = 0;
      if (paused) connection.resume();
    }
  }
}
