import { describe, expect, it } from "vitest";
import { ByteSink } from "../src/byte-sink.js";

describe("ByteSink", () => {
  it("stops growing at its soft limit when that holds what is appended", () => {
    const sink = new ByteSink(1024, 100_000);
    for (let index = 0; index < 99_000 / 8; index++) sink.double(index);
    expect(sink.buffer.length).toBe(100_000);
    expect(sink.view().readDoubleLE(8 * 1000)).toBe(1000);
  });

  it("grows past the soft limit only for what does not fit in it", () => {
    const sink = new ByteSink(1024, 4096);
    sink.bytes(Buffer.alloc(3000, 1));
    expect(sink.buffer.length).toBe(4096);
    sink.bytes(Buffer.alloc(5000, 2));
    expect(sink.buffer.length).toBeGreaterThanOrEqual(8000);
    expect(sink.view()[2999]).toBe(1);
    expect(sink.view()[7999]).toBe(2);
  });

  it("can be released and used again", () => {
    const sink = new ByteSink(64 * 1024);
    sink.int32(42);
    sink.release();
    expect(sink.length).toBe(0);
    expect(sink.buffer.length).toBe(0);
    sink.int32(7);
    expect(sink.view().readInt32LE(0)).toBe(7);
  });
});
