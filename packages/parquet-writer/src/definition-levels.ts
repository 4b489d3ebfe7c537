import { ByteSink } from "./byte-sink.js";

/**
 * Definition levels (max level 1) in the RLE/bit-packed hybrid, as a V1 data page
 * carries them: a 4-byte little-endian length, then the runs. A page without nulls
 * is one RLE run; otherwise one bit-packed run of all values (1 bit each) — simple,
 * and never larger than n/8 bytes plus a header.
 */
export function encodeDefinitionLevels(levels: Uint8Array, count: number): Buffer {
  const sink = new ByteSink(16 + (count >> 3));
  sink.int32(0);
  let allDefined = true;
  for (let index = 0; index < count; index++) {
    if (levels[index] === 0) {
      allDefined = false;
      break;
    }
  }
  if (allDefined) {
    sink.unsignedVarint(count * 2);
    sink.byte(1);
  } else {
    const groups = Math.ceil(count / 8);
    sink.unsignedVarint(groups * 2 + 1);
    packBits(levels, count, sink);
  }
  sink.buffer.writeInt32LE(sink.length - 4, 0);
  return Buffer.from(sink.view());
}

/** Packs 0/1 bytes LSB-first into groups of 8, padding the last group with zeros. */
export function packBits(bits: Uint8Array, count: number, sink: ByteSink): void {
  const byteCount = Math.ceil(count / 8);
  sink.ensure(byteCount);
  const start = sink.length;
  sink.buffer.fill(0, start, start + byteCount);
  for (let index = 0; index < count; index++) {
    if (bits[index]) {
      const target = start + (index >> 3);
      sink.buffer[target] = (sink.buffer[target] ?? 0) | (1 << (index & 7));
    }
  }
  sink.length += byteCount;
}

/** Decodes `count` levels of bit width 1 from the hybrid runs (no length prefix). */
export function decodeDefinitionLevels(data: Uint8Array, count: number): Uint8Array {
  const levels = new Uint8Array(count);
  let position = 0;
  let produced = 0;
  while (produced < count) {
    let header = 0;
    let shift = 1;
    for (;;) {
      const byte = data[position++] ?? 0;
      header += (byte & 0x7f) * shift;
      shift *= 128;
      if (byte < 0x80) break;
    }
    if (header % 2 === 0) {
      const runLength = header / 2;
      const value = data[position++] ?? 0;
      levels.fill(value, produced, Math.min(count, produced + runLength));
      produced += runLength;
    } else {
      const valuesInRun = ((header - 1) / 2) * 8;
      for (let index = 0; index < valuesInRun && produced < count; index++, produced++) {
        levels[produced] = ((data[position + (index >> 3)] ?? 0) >> (index & 7)) & 1;
      }
      position += valuesInRun / 8;
    }
  }
  return levels;
}
