/**
 * Snappy raw-block compression, the format Parquet's SNAPPY codec stores in a page
 * (no framing, no checksums). Our own because the libraries we depend on expose a
 * Snappy compressor only from an internal source path (docs/adr/0014-hygiene-dependency-graph.md).
 *
 * Format: the uncompressed length as a varint, then elements: a literal (tag 00 plus
 * the bytes) or a back-reference copy (tags 01 and 10: length and offset). Input is
 * compressed in independent 64 KiB blocks, as the reference implementation does, so
 * every copy offset fits the 2-byte form.
 */

const blockSize = 1 << 16;
const hashBits = 14;
const minMatch = 4;

export function snappyCompress(input: Uint8Array): Uint8Array {
  // The format's documented worst case: 32 + n + n/6 bytes.
  const out = new SnappyOutput(32 + input.length + Math.ceil(input.length / 6));
  out.varint(input.length);
  const table = new Int32Array(1 << hashBits);
  for (let start = 0; start < input.length; start += blockSize) {
    compressBlock(input, start, Math.min(start + blockSize, input.length), table, out);
  }
  return out.bytes.subarray(0, out.length);
}

function compressBlock(
  input: Uint8Array,
  start: number,
  end: number,
  table: Int32Array,
  out: SnappyOutput,
): void {
  // -1 marks "no earlier position": positions from a previous block must never match.
  table.fill(-1);
  let literalStart = start;
  let i = start;
  let misses = 0;
  while (i + minMatch <= end) {
    const word = read32(input, i);
    const slot = Math.imul(word, 0x1e35a7bd) >>> (32 - hashBits);
    const candidate = table[slot] ?? -1;
    table[slot] = i;
    if (candidate >= start && read32(input, candidate) === word) {
      let length = minMatch;
      while (i + length < end && input[candidate + length] === input[i + length]) length++;
      out.literal(input, literalStart, i);
      out.copy(i - candidate, length);
      i += length;
      literalStart = i;
      misses = 0;
    } else {
      // Skip faster through data that does not compress, as the reference encoder does.
      misses++;
      i += 1 + (misses >> 5);
    }
  }
  out.literal(input, literalStart, end);
}

function read32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] ?? 0) |
      ((bytes[at + 1] ?? 0) << 8) |
      ((bytes[at + 2] ?? 0) << 16) |
      ((bytes[at + 3] ?? 0) << 24)) >>>
    0
  );
}

class SnappyOutput {
  readonly bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  private byte(value: number): void {
    this.bytes[this.length++] = value & 0xff;
  }

  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.byte((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    this.byte(rest);
  }

  literal(input: Uint8Array, from: number, to: number): void {
    const length = to - from;
    if (length === 0) return;
    const n = length - 1;
    if (n < 60) {
      this.byte(n << 2);
    } else if (n < 0x100) {
      this.byte(60 << 2);
      this.byte(n);
    } else if (n < 0x10000) {
      this.byte(61 << 2);
      this.byte(n);
      this.byte(n >>> 8);
    } else if (n < 0x1000000) {
      this.byte(62 << 2);
      this.byte(n);
      this.byte(n >>> 8);
      this.byte(n >>> 16);
    } else {
      this.byte(63 << 2);
      this.byte(n);
      this.byte(n >>> 8);
      this.byte(n >>> 16);
      this.byte(n >>> 24);
    }
    this.bytes.set(input.subarray(from, to), this.length);
    this.length += length;
  }

  /** A copy of `length` >= 4 bytes from `offset` (1..65535) bytes back. */
  copy(offset: number, length: number): void {
    let rest = length;
    // The 2-byte-offset form holds at most 64 bytes; leave at least 4 for the last element.
    while (rest >= 68) {
      this.copyWithTwoByteOffset(offset, 64);
      rest -= 64;
    }
    if (rest > 64) {
      this.copyWithTwoByteOffset(offset, 60);
      rest -= 60;
    }
    if (rest < 12 && offset < 2048) {
      this.byte(1 | ((rest - 4) << 2) | ((offset >>> 8) << 5));
      this.byte(offset);
    } else {
      this.copyWithTwoByteOffset(offset, rest);
    }
  }

  private copyWithTwoByteOffset(offset: number, length: number): void {
    this.byte(2 | ((length - 1) << 2));
    this.byte(offset);
    this.byte(offset >>> 8);
  }
}
