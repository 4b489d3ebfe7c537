import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { snappyUncompress } from "hyparquet";
import { describe, expect, it } from "vitest";
import { snappyCompress } from "../src/snappy-compress.js";

// hyparquet's decoder is an independent implementation of the format: what it reads
// back is what DuckDB and Redshift read back from a SNAPPY page.
function roundTrip(input: Uint8Array): Uint8Array {
  const output = new Uint8Array(input.length);
  snappyUncompress(snappyCompress(input), output);
  return output;
}

describe("snappyCompress", () => {
  it("round-trips empty, tiny and literal-length boundary inputs", () => {
    for (const length of [0, 1, 3, 4, 5, 59, 60, 61, 255, 256, 257, 65535, 65536, 65537, 200_000]) {
      const input = randomBytes(length);
      expect(Buffer.from(roundTrip(input)).equals(input), `length ${length}`).toBe(true);
    }
  });

  it("compresses repetitive pages to a fraction of their size and reads them back exactly", () => {
    const row = Buffer.from("2024-01-01 00:00:00.000000|settled|EUR|0000001234.56|");
    const input = Buffer.concat(
      Array.from({ length: 5000 }, (_, i) => Buffer.concat([row, Buffer.from(String(i))])),
    );
    const compressed = snappyCompress(input);
    expect(compressed.length).toBeLessThan(input.length / 5);
    expect(Buffer.from(roundTrip(input)).equals(input)).toBe(true);
  });

  it("encodes long runs (copies longer than 64 bytes, overlapping copies) exactly", () => {
    for (const length of [64, 65, 67, 68, 69, 131, 1000, 70_000]) {
      const input = Buffer.alloc(length, 0x61);
      expect(Buffer.from(roundTrip(input)).equals(input), `run of ${length}`).toBe(true);
    }
  });

  it("round-trips arbitrary bytes mixed from a small alphabet (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 140_000, max: 3 }), (input) => {
        expect(Buffer.from(roundTrip(input)).equals(Buffer.from(input))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
