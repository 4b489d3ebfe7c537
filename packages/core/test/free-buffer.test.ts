import { describe, expect, it } from "vitest";
import { freeBufferNow } from "../src/index.js";

describe("freeBufferNow", () => {
  it("releases a buffer that owns its whole memory: every view of it is empty afterwards", () => {
    const owned = Buffer.alloc(256 * 1024, 7);
    const view = owned.subarray(10, 20);
    freeBufferNow(owned);
    expect(owned.length).toBe(0);
    expect(view.length).toBe(0);
    expect(owned.buffer.byteLength).toBe(0);
  });

  it("leaves Node's pooled small buffers alone, and their neighbours in the pool intact", () => {
    const first = Buffer.from("first pooled");
    const second = Buffer.from("second pooled");
    expect(first.buffer).toBe(second.buffer); // one shared pool: freeing one would free both
    freeBufferNow(first);
    expect(first.toString()).toBe("first pooled");
    expect(second.toString()).toBe("second pooled");
  });

  it("leaves a view of part of a larger buffer alone", () => {
    const whole = Buffer.alloc(128 * 1024, 1);
    const part = whole.subarray(0, 1024);
    freeBufferNow(part);
    expect(part.length).toBe(1024);
    expect(whole.length).toBe(128 * 1024);
  });
});
