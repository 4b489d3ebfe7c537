import { describe, expect, it } from "vitest";
import {
  batchLastRow,
  batchRowCount,
  batchRows,
  decodePackedRow,
  decodePackedRows,
  isSluiceError,
  type SourceValue,
  type ValueDecoding,
} from "../src/index.js";

/** One value in the text protocol's row form: its length, length-encoded, then its bytes. */
function lengthEncoded(value: Uint8Array | null): Uint8Array {
  if (value === null) return Uint8Array.of(0xfb);
  const n = value.byteLength;
  const head =
    n < 251
      ? [n]
      : n < 2 ** 16
        ? [0xfc, n & 0xff, n >> 8]
        : n < 2 ** 24
          ? [0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16]
          : [0xfe, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24, 0, 0, 0, 0];
  return Buffer.concat([Uint8Array.from(head), value]);
}
const text = (value: string) => Buffer.from(value, "utf8");
const pack = (rows: (Uint8Array | null)[][]) => new Uint8Array(Buffer.concat(rows.flat().map(lengthEncoded)));

describe("packed rows", () => {
  const decodings: ValueDecoding[] = ["integer", "ascii", "text", "bytes"];

  // Bytes values are Buffer views, as mysql2's are.
  it("decode integers, text, ASCII text, bytes and NULLs, with 1-, 3- and 4-byte lengths", () => {
    const long = "ü".repeat(200); // 400 bytes: a 3-byte length
    const huge = Buffer.alloc(70_000, 0xab); // a 4-byte length
    const bytes = pack([
      [text("-2147483648"), text("-9223372036854775808"), text(long), huge],
      [null, null, null, null],
      [text("+7"), text("2024-02-29 23:59:59.999999"), text("\u{FEFF}naïve 😀"), new Uint8Array(0)],
      [text("0042"), text(""), text(""), Uint8Array.of(0xfb, 0x00)],
    ]);
    const rows = decodePackedRows({ bytes, rowCount: 4, decodings });
    expect(rows).toEqual([
      [-2147483648, "-9223372036854775808", long, huge],
      [null, null, null, null],
      // The BOM is a character of the value, kept.
      [7, "2024-02-29 23:59:59.999999", "\u{FEFF}naïve 😀", Buffer.alloc(0)],
      [42, "", "", Buffer.of(0xfb, 0x00)],
    ]);
  });

  it("replace ill-formed UTF-8 with U+FFFD, as mysql2's decoder does", () => {
    const bad = Uint8Array.of(0x61, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x62);
    const rows = decodePackedRows({ bytes: pack([[bad]]), rowCount: 1, decodings: ["text"] });
    expect(rows[0]?.[0]).toBe(Buffer.from(bad).toString("utf8"));
    expect(rows[0]?.[0]).toContain("\uFFFD");
  });

  it("decode one row from where it starts", () => {
    const bytes = pack([
      [text("1"), text("a")],
      [text("2"), text("bé")],
    ]);
    const row: SourceValue[] = [];
    const firstEnd = decodePackedRow(bytes, 0, ["integer", "text"], row);
    expect(firstEnd).toBe(4);
    expect(decodePackedRow(bytes, firstEnd, ["integer", "text"], row)).toBe(bytes.byteLength);
    expect(row).toEqual([2, "bé"]);
  });

  it("refuse a batch whose bytes do not hold its rows, or a non-integer in an integer column", () => {
    const bytes = pack([[text("1")], [text("2")]]);
    const fail = (run: () => unknown) => {
      try {
        run();
      } catch (thrown) {
        expect(isSluiceError(thrown)).toBe(true);
        return (thrown as Error).message;
      }
      throw new Error("expected a failure");
    };
    expect(fail(() => decodePackedRows({ bytes, rowCount: 1, decodings: ["integer"] }))).toMatch(/malformed/);
    expect(fail(() => decodePackedRows({ bytes, rowCount: 3, decodings: ["integer"] }))).toMatch(
      /end inside a row/,
    );
    expect(
      fail(() => decodePackedRows({ bytes: bytes.subarray(0, 1), rowCount: 1, decodings: ["integer"] })),
    ).toMatch(/end inside a value/);
    expect(
      fail(() => decodePackedRows({ bytes: pack([[text("1.5")]]), rowCount: 1, decodings: ["integer"] })),
    ).toMatch(/"1.5", which is not an integer/);
  });

  it("count, last row and rows alike for packed and parsed batches", () => {
    const packed = {
      packed: {
        bytes: pack([[text("1")], [text("2")]]),
        rowCount: 2,
        decodings: ["integer"] as ValueDecoding[],
      },
      lastRow: [2],
    };
    const parsed = { rows: [[1], [2]] };
    for (const batch of [packed, parsed]) {
      expect(batchRowCount(batch)).toBe(2);
      expect(batchLastRow(batch)).toEqual([2]);
      expect(batchRows(batch)).toEqual([[1], [2]]);
    }
  });
});
