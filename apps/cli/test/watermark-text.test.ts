import { describe, expect, it } from "vitest";
import { extractPositionText } from "../src/watermark-text.js";

type Extract = Parameters<typeof extractPositionText>[0];

describe("watermark text: an initial snapshot's key ranges", () => {
  it("shows a single key's bounds as values and a composite key's as tuples", () => {
    const ranges = (afterKey: string[] | null, throughKey: string[] | null) => ({ afterKey, throughKey });
    const snapshot = (list: ReturnType<typeof ranges>[]) =>
      ({
        phase: "snapshot",
        snapshot: { ceiling: "2026-12-05 10:00:00.000000", keyColumns: ["id"], afterKey: null, ranges: list },
      }) as unknown as Extract;
    expect(extractPositionText(snapshot([ranges(null, ["250"]), ranges(["310"], null)]))).toBe(
      "(initial snapshot below 2026-12-05 10:00:00.000000, 2 key ranges to read: (start, 250], (310, end])",
    );
    expect(
      extractPositionText(snapshot([ranges(["10", "3"], ["500", "1"]), ranges(["500", "1"], null)])),
    ).toBe(
      "(initial snapshot below 2026-12-05 10:00:00.000000, 2 key ranges to read: ((10, 3), (500, 1)], ((500, 1), end])",
    );
  });
});
