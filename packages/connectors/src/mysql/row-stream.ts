import type { AnyRowBatch, SourceValue } from "@sluice/core";
import { PackedBatchBuilder } from "./packed-batch-builder.js";
import { packedDecodings, type ResultField } from "./packed-decodings.js";

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
  on(event: "fields", listener: (fields: ResultField[]) => void): QueryEvents;
  on(event: "error", listener: (error: unknown) => void): QueryEvents;
  on(event: "end", listener: () => void): QueryEvents;
}

/** One row packet as mysql2's Packet holds it: the payload is `buffer[offset..end)`. */
interface RowPacket {
  readonly buffer: Uint8Array;
  readonly offset: number;
  readonly end: number;
  isEOF(): boolean;
}
type RowState = (this: unknown, packet: RowPacket, connection: unknown) => unknown;

/**
 * mysql2's Query command reads each row packet in its `row` state, which it enters from
 * `fieldsEOF` through `this.row`: an own `row` on the query object takes the rows
 * instead of mysql2's parser (and hands the end-of-rows packet back to it). This is
 * mysql2 internals (lib/commands/query.js, 3.x): the packed-row tests fail if a
 * release changes them.
 */
function takeRowPackets(query: QueryEvents, onRow: (packet: RowPacket) => void): boolean {
  const target = query as unknown as { row?: RowState };
  const parse = target.row;
  // Not the mysql2 this was written against: leave the rows to its parser.
  if (typeof parse !== "function") return false;
  const take: RowState = function (this: unknown, packet, connection) {
    if (packet.isEOF()) return parse.call(this, packet, connection);
    onRow(packet);
    return take;
  };
  target.row = take;
  return true;
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
 *
 * `packed`: rows are not parsed here but copied as they arrived into one buffer per
 * batch (PackedRowBatch), for a consumer that decodes them on another thread; a
 * batch's bytes are then the payload bytes. A result with a column that cannot be
 * decoded from its bytes alone exactly as mysql2 would (packedDecodings) is parsed as usual.
 */
export async function* streamRowBatches(
  connection: StreamingConnection,
  sql: string,
  values: unknown[],
  batchRows: number,
  batchBytes = Number.POSITIVE_INFINITY,
  packed = false,
): AsyncGenerator<AnyRowBatch> {
  const countBytes = Number.isFinite(batchBytes);
  let bytes = 0;
  const ready: AnyRowBatch[] = [];
  let packer: PackedBatchBuilder | null = null;
  /** The failure is ours (a row packet we could not take), not the connection's. */
  let rowFailure = false;
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
  const cut = (next: AnyRowBatch) => {
    ready.push(next);
    if (ready.length >= maxBufferedBatches && !paused) {
      paused = true;
      connection.pause();
    }
    notify();
  };
  const packedCapacity = Number.isFinite(batchBytes) ? batchBytes : 1024 * 1024;
  connection.on("error", lost);
  const query = connection.query({ sql, values, rowsAsArray: true });
  if (packed) {
    query.on("fields", (fields) => {
      const decodings = packedDecodings(fields);
      if (decodings === null) return;
      const builder = new PackedBatchBuilder(decodings, packedCapacity);
      const taken = takeRowPackets(query, (packet) => {
        if (abandoned || failure) return;
        try {
          const length = packet.end - packet.offset;
          if (builder.rows > 0 && !builder.fits(length)) cut(builder.take());
          builder.add(packet.buffer, packet.offset, packet.end);
          if (builder.rows >= batchRows || builder.bytes >= batchBytes) cut(builder.take());
        } catch (error) {
          // Thrown inside mysql2's packet handling it would break the connection's state:
          // the consumer gets it instead, and the rest of the result drains unseen.
          failure = { error };
          rowFailure = true;
          notify();
        }
      });
      if (taken) packer = builder;
    });
  }
  query
    .on("result", (row) => {
      if (abandoned) return;
      batch.push(row);
      if (countBytes) bytes += approximateRowBytes(row);
      if (batch.length >= batchRows || bytes >= batchBytes) {
        const full = batch;
        batch = [];
        bytes = 0;
        cut({ rows: full });
      }
    })
    .on("error", (error) => {
      failure = { error };
      notify();
    })
    .on("end", () => {
      if (batch.length > 0 && !abandoned) ready.push({ rows: batch });
      const rest = packer as PackedBatchBuilder | null;
      if (rest !== null && rest.rows > 0 && !abandoned && !rowFailure) ready.push(rest.take());
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
    if (!finished && (!failure || rowFailure)) {
      // The consumer stopped early (or a row could not be taken): let the rest of the
      // result drain unseen so the connection stays usable for the next query.
      abandoned = true;
      ready.length = 0;
      if (paused) connection.resume();
    }
  }
}
