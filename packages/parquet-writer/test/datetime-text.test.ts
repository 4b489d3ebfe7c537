import { describe, expect, it } from "vitest";
import { formatDateTimeMicros, parseDateText, parseDateTimeMicros } from "../src/datetime-text.js";

// Independent oracle: Date.UTC for the whole seconds (years >= 100 only), digits for the fraction.
function expectedMicros(
  year: number,
  month: number,
  day: number,
  hms: [number, number, number],
  fraction: string,
): bigint {
  const millis = Date.UTC(year, month - 1, day, hms[0], hms[1], hms[2]);
  return BigInt(millis) * 1000n + BigInt(fraction.padEnd(6, "0") || "0");
}

describe("datetime text", () => {
  it("matches Date.UTC for pseudo-random dates from 1000 to 9999", () => {
    let seed = 42;
    const next = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    for (let index = 0; index < 5000; index++) {
      const year = 1000 + next(9000);
      const month = 1 + next(12);
      const day = 1 + next(28);
      const hms: [number, number, number] = [next(24), next(60), next(60)];
      const fraction = String(next(1_000_000)).padStart(6, "0").slice(0, next(7));
      const pad = (value: number, width = 2) => String(value).padStart(width, "0");
      const text = `${pad(year, 4)}-${pad(month)}-${pad(day)} ${pad(hms[0])}:${pad(hms[1])}:${pad(hms[2])}${fraction ? `.${fraction}` : ""}`;
      const parsed = parseDateTimeMicros(text);
      expect([text, BigInt(parsed as number | bigint)]).toEqual([
        text,
        expectedMicros(year, month, day, hms, fraction),
      ]);
      expect(formatDateTimeMicros(BigInt(parsed as number | bigint))).toBe(
        `${text.slice(0, 19)}.${fraction.padEnd(6, "0")}`,
      );
    }
  });

  it("returns null for zero and impossible dates and undefined for malformed text", () => {
    expect(parseDateText("0000-00-00")).toBeNull();
    expect(parseDateTimeMicros("2024-00-01 00:00:00")).toBeNull();
    expect(parseDateText("2023-02-29")).toBeNull();
    expect(parseDateTimeMicros("2024-02-31 10:00:00.5")).toBeNull();
    expect(parseDateText("2024-02-29")).toBe(19782);
    expect(parseDateText("2024-1-01")).toBeUndefined();
    expect(parseDateTimeMicros("2024-01-01 24:00:00")).toBeUndefined();
    expect(parseDateTimeMicros("2024-01-01 00:00:00.1234567")).toBeUndefined();
    expect(parseDateTimeMicros("yesterday")).toBeUndefined();
  });
});
