import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDemo } from "../src/index.js";

// The README's first command, at a small size: it must end with equal counts and sums
// on both sides, and leave Parquet files in the lake. It starts its own private
// services (as the demo does for a newcomer) and runs the built CLI, so it needs
// `pnpm build` first — scripts/test.sh does that.
describe("demo", () => {
  it("syncs the seeded table three times and ends with equal rows on both sides", async () => {
    const lake = await mkdtemp(join(tmpdir(), "sluice-demo-test-"));
    const lines: string[] = [];
    try {
      const counts = await runDemo({ rows: 3_000, lakeDirectory: lake, print: (line) => lines.push(line) });
      expect(counts.source).toBe(3_030);
      expect(counts.target).toBe(counts.source);
      expect(counts.targetAmount).toBe(counts.sourceAmount);
      expect(lines.join("\n")).toMatch(/nothing new/);
      const tableDir = await readdir(join(lake, "shop.settlement"));
      expect(tableDir).toContain("_manifests");
    } finally {
      await rm(lake, { recursive: true, force: true });
    }
  }, 180_000);
});
