import { freeBufferNow } from "@sluice/core";

/**
 * A growable little-endian byte buffer. Column values are appended here one by one;
 * doubling keeps appends amortised O(1) and avoids one small Buffer per value.
 */
export class ByteSink {
  buffer: Buffer;
  /** Fixed-width values go through a DataView: TurboFan turns its setters into single
   * stores, where Buffer.write*LE range-checks and stores byte by byte. */
  private data: DataView;
  length = 0;

  /**
   * `softLimit`: the most this sink is expected to hold; growth stops there rather than
   * doubling past it, unless more is needed (a value larger than the limit).
   */
  constructor(
    initialCapacity = 64 * 1024,
    private readonly softLimit = Number.POSITIVE_INFINITY,
  ) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
    this.data = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = Math.max(this.buffer.length * 2, 1024);
    while (capacity < needed) capacity *= 2;
    if (needed <= this.softLimit) capacity = Math.min(capacity, this.softLimit);
    const next = Buffer.allocUnsafe(capacity);
    this.buffer.copy(next, 0, 0, this.length);
    // The sink owns its buffer; views of it (`view()`) are only read before it grows.
    freeBufferNow(this.buffer);
    this.buffer = next;
    this.data = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** Frees the buffer now (see freeBufferNow); the sink is empty afterwards and may grow again. */
  release(): void {
    freeBufferNow(this.buffer);
    this.buffer = Buffer.alloc(0);
    this.data = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.length = 0;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buffer[this.length++] = value;
  }

  int32(value: number): void {
    this.ensure(4);
    this.data.setInt32(this.length, value, true);
    this.length += 4;
  }

  /** Writes a 64-bit integer given exactly as a safe-integer number. */
  int64FromSafeNumber(value: number): void {
    this.ensure(8);
    const high = Math.floor(value / 4294967296);
    const low = value - high * 4294967296;
    this.data.setUint32(this.length, low, true);
    this.data.setInt32(this.length + 4, high, true);
    this.length += 8;
  }

  int64FromBigInt(value: bigint): void {
    this.ensure(8);
    this.data.setBigInt64(this.length, value, true);
    this.length += 8;
  }

  float(value: number): void {
    this.ensure(4);
    this.data.setFloat32(this.length, value, true);
    this.length += 4;
  }

  double(value: number): void {
    this.ensure(8);
    this.data.setFloat64(this.length, value, true);
    this.length += 8;
  }

  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** PLAIN BYTE_ARRAY: 4-byte length prefix then the bytes. Returns the byte count. */
  lengthPrefixedBytes(value: Uint8Array): number {
    this.ensure(4 + value.length);
    this.data.setUint32(this.length, value.length, true);
    this.buffer.set(value, this.length + 4);
    this.length += 4 + value.length;
    return value.length;
  }

  /**
   * PLAIN BYTE_ARRAY of `source[start..end)`, copied as it is: short values byte by
   * byte (cheaper than a view and a native copy), longer ones in one copy.
   */
  lengthPrefixedRange(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.ensure(4 + length);
    const at = this.length;
    this.data.setUint32(at, length, true);
    const buffer = this.buffer;
    if (length <= 32) {
      for (let index = 0; index < length; index++) buffer[at + 4 + index] = source[start + index] as number;
    } else buffer.set(source.subarray(start, end), at + 4);
    this.length = at + 4 + length;
  }

  /** PLAIN BYTE_ARRAY of a string's UTF-8 bytes, encoded straight into the buffer. Returns the byte count. */
  lengthPrefixedUtf8(value: string): number {
    this.ensure(4 + value.length * 3);
    const written = this.buffer.write(value, this.length + 4, "utf8");
    this.data.setUint32(this.length, written, true);
    this.length += 4 + written;
    return written;
  }

  unsignedVarint(value: number): void {
    let remaining = value;
    while (remaining >= 0x80) {
      this.byte((remaining % 0x80) | 0x80);
      remaining = Math.floor(remaining / 0x80);
    }
    this.byte(remaining);
  }

  view(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}
