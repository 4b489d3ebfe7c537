import { describe, expect, it } from "vitest";
import { formatDateTimeMicros } from "../src/datetime-text.js";
import { dateTimeText, fixedValueText, floatText, int64Text } from "../src/plain-value-text.js";

const int64 = (value: bigint) => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64LE(value);
  return buffer;
};

// Values on both sides of the safe-integer fast path, negative ones and the extremes.
const edges = [
  0n,
  1n,
  -1n,
  2n ** 53n - 1n,
  -(2n ** 53n) + 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  -(2n ** 53n) - 1n,
  2n ** 63n - 1n,
  -(2n ** 63n),
  4_294_967_295n,
  4_294_967_296n,
  -4_294_967_296n,
  1_764_936_000_123_456n,
  -62_135_596_800_000_000n,
];

describe("PLAIN values as text without BigInt where exact", () => {
  it("INT64 text equals BigInt's on both sides of 2^53", () => {
    for (const value of edges) expect(int64Text(int64(value), 0)).toBe(value.toString());
  });

  it("date-times equal the BigInt formatter's, before 1970 and far beyond 2255 included", () => {
    const samples = [...edges.filter((value) => value > -(2n ** 62n) && value < 2n ** 62n)];
    let seed = 7n;
    for (let index = 0; index < 2_000; index++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      samples.push(BigInt.asIntN(58, seed));
    }
    for (const value of samples) expect(dateTimeText(int64(value), 0)).toBe(formatDateTimeMicros(value));
  });

  it("DECIMAL(18,4) in INT64 keeps every digit and the sign", () => {
    const cases: [bigint, string][] = [
      [12345n, "1.2345"],
      [-5n, "-0.0005"],
      [0n, "0.0000"],
      [2n ** 63n - 1n, "922337203685477.5807"],
      [-(2n ** 53n) - 7n, "-900719925474.0999"],
    ];
    for (const [unscaled, text] of cases)
      expect(fixedValueText("decimal-int64", int64(unscaled), 0, 4, 8)).toBe(text);
  });

  it("a FLOAT is the shortest text that reads back to the same 32-bit value", () => {
    for (const value of [0.1, 1 / 3, 3.4028234663852886e38, 1.401298464324817e-45, 16777216, -2.5, 1e-7]) {
      const stored = Math.fround(value);
      const text = floatText(stored);
      expect(Math.fround(Number(text))).toBe(stored);
      // One digit fewer no longer reads back.
      const digits = text.replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "").length;
      if (digits > 1) expect(Math.fround(Number(stored.toPrecision(digits - 1)))).not.toBe(stored);
    }
  });
});
