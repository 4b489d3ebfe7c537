import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { sluice } from "./cli-harness.js";

describe("sluice --version", () => {
  it("prints the CLI package's version and exits 0, long and short form", async () => {
    const { version } = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ["--version", "-V"]) {
      const run = await sluice([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
      expect(run.stderr).toBe("");
    }
    // A subcommand's unknown flag is still a usage error, not the version.
    expect((await sluice(["status", "--versionx"])).code).toBe(2);
  });
});
