import { Command, CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import {
  ageInMilliseconds,
  columnEncodings,
  columnNames,
  durationInMilliseconds,
  keyValuePairs,
  oneOf,
  positiveWholeNumber,
  reconcileCadence,
  secondsAboveZero,
  secondsAtLeastZero,
  signedWholeNumber,
  sortKeyColumns,
  utcInstant,
  wholeNumberAtLeastZero,
  wholeNumberInRange,
} from "../src/flag-parsers.js";
import { logLevelFlag } from "../src/run-logging.js";

/** Parses `argv` with one option through commander itself, as the CLI does. */
function parseWith<T>(
  flags: string,
  parser: (text: string, previous: T) => T,
  argv: string[],
  initial?: T,
): { value?: T; error?: string } {
  let stderr = "";
  const command = new Command("t")
    .exitOverride()
    .configureOutput({ writeErr: (text) => (stderr += text), writeOut: () => {} })
    .option(flags, "", parser, initial as T);
  try {
    command.parse(argv, { from: "user" });
  } catch (thrown) {
    if (thrown instanceof CommanderError) return { error: stderr };
    throw thrown;
  }
  return { value: command.opts().x as T };
}

describe("flag parsers (commander argParser)", () => {
  it("positiveWholeNumber takes 1.. and names flag and value when it refuses", () => {
    expect(parseWith("--x <n>", positiveWholeNumber("--x"), ["--x", "25"]).value).toBe(25);
    for (const bad of ["0", "-3", "1.5", "ten", "", "9007199254740993"]) {
      expect(parseWith("--x <n>", positiveWholeNumber("--x"), ["--x", bad]).error).toContain(
        `--x must be a positive whole number, got "${bad}"`,
      );
    }
  });

  it("durationInMilliseconds takes seconds or s/m/h and refuses zero and other forms", () => {
    const parse = (text: string) => parseWith("--x <d>", durationInMilliseconds("--x"), ["--x", text]);
    expect(parse("90").value).toBe(90_000);
    expect(parse("90s").value).toBe(90_000);
    expect(parse("15m").value).toBe(900_000);
    expect(parse(" 2h ").value).toBe(7_200_000);
    for (const bad of ["0", "0s", "1.5h", "15 minutes", "1d", "", "m"]) {
      expect(parse(bad).error).toContain(
        `--x must be a duration > 0: seconds (90), or a number followed by s, m or h (90s, 15m, 2h), got "${bad}"`,
      );
    }
  });

  it("wholeNumberAtLeastZero takes 0", () => {
    expect(parseWith("--x <n>", wholeNumberAtLeastZero("--x"), ["--x", "0"]).value).toBe(0);
    expect(parseWith("--x <n>", wholeNumberAtLeastZero("--x"), ["--x", "-1"]).error).toContain(
      '--x must be a whole number >= 0, got "-1"',
    );
  });

  it("signedWholeNumber takes negatives and refuses counts it could not store exactly", () => {
    expect(parseWith("--x <n>", signedWholeNumber("--x"), ["--x", "-40"]).value).toBe(-40);
    expect(parseWith("--x <n>", signedWholeNumber("--x"), ["--x", "9007199254740991"]).value).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(parseWith("--x <n>", signedWholeNumber("--x"), ["--x", "9007199254740993"]).error).toContain(
      "--x must be a whole number",
    );
  });

  it("secondsAtLeastZero takes fractions", () => {
    expect(parseWith("--x <s>", secondsAtLeastZero("--x"), ["--x", "2.5"]).value).toBe(2.5);
    expect(parseWith("--x <s>", secondsAtLeastZero("--x"), ["--x", "-2"]).error).toContain(
      "--x must be a number of seconds >= 0",
    );
  });

  it("utcInstant reads UTC unless an offset is given", () => {
    expect(parseWith("--x <t>", utcInstant("--x"), ["--x", "2025-09-09 12:00:00"]).value?.toISOString()).toBe(
      "2025-09-09T12:00:00.000Z",
    );
    expect(
      parseWith("--x <t>", utcInstant("--x"), ["--x", "2025-09-09T12:00:00+02:00"]).value?.toISOString(),
    ).toBe("2025-09-09T10:00:00.000Z");
    expect(parseWith("--x <t>", utcInstant("--x"), ["--x", "2025-02-30"]).error).toContain(
      "--x must be a time like",
    );
  });

  it("ageInMilliseconds reads d, h and m", () => {
    expect(parseWith("--x <age>", ageInMilliseconds("--x"), ["--x", "7d"]).value).toBe(7 * 86_400_000);
    expect(parseWith("--x <age>", ageInMilliseconds("--x"), ["--x", "30m"]).value).toBe(1_800_000);
    expect(parseWith("--x <age>", ageInMilliseconds("--x"), ["--x", "7 weeks"]).error).toContain(
      '--x must be a number followed by d, h or m (7d, 24h, 30m), got "7 weeks"',
    );
  });

  it("reconcileCadence uses the pipeline's rule", () => {
    expect(parseWith("--x <c>", reconcileCadence("--x"), ["--x", "24h"]).value).toEqual({ everyHours: 24 });
    expect(parseWith("--x <c>", reconcileCadence("--x"), ["--x", "every"]).value).toBe("every");
    expect(parseWith("--x <c>", reconcileCadence("--x"), ["--x", "weekly"]).error).toContain(
      '--x must be off, every, or a number of hours such as 24h or 24-hours, got "weekly"',
    );
  });

  it("wholeNumberInRange takes its bounds and refuses what is outside", () => {
    expect(parseWith("--x <n>", wholeNumberInRange("--x", 1, 64), ["--x", "64"]).value).toBe(64);
    expect(parseWith("--x <n>", wholeNumberInRange("--x", 1, 64), ["--x", "1"]).value).toBe(1);
    for (const bad of ["0", "65", "2.5", "four"]) {
      expect(parseWith("--x <n>", wholeNumberInRange("--x", 1, 64), ["--x", bad]).error).toContain(
        `--x must be a whole number from 1 to 64, got "${bad}"`,
      );
    }
  });

  it("secondsAboveZero takes fractions and refuses 0", () => {
    expect(parseWith("--x <s>", secondsAboveZero("--x"), ["--x", "0.25"]).value).toBe(0.25);
    expect(parseWith("--x <s>", secondsAboveZero("--x"), ["--x", "60"]).value).toBe(60);
    for (const bad of ["0", "-1", "1e3", "soon"]) {
      expect(parseWith("--x <s>", secondsAboveZero("--x"), ["--x", bad]).error).toContain(
        `--x must be a number of seconds above 0 (e.g. 0.5 or 60), got "${bad}"`,
      );
    }
  });

  it("oneOf takes a word in any case and lists the words when it refuses", () => {
    expect(parseWith("--x <w>", oneOf("--x", ["auto", "key"]), ["--x", "KEY"]).value).toBe("key");
    expect(parseWith("--x <w>", oneOf("--x", ["auto", "key"]), ["--x", "random"]).error).toContain(
      '--x must be one of auto, key, got "random"',
    );
  });

  it("columnNames and sortKeyColumns split on commas and refuse an empty name", () => {
    expect(parseWith("--x <c>", columnNames("--x"), ["--x", "a, b"]).value).toEqual(["a", "b"]);
    expect(parseWith("--x <c>", columnNames("--x"), ["--x", "a,,b"]).error).toContain(
      '--x must be column names separated by commas, got "a,,b"',
    );
    expect(parseWith("--x <c>", sortKeyColumns("--x"), ["--x", "Auto"]).value).toBe("auto");
    expect(parseWith("--x <c>", sortKeyColumns("--x"), ["--x", "updated_at,id"]).value).toEqual([
      "updated_at",
      "id",
    ]);
    expect(parseWith("--x <c>", sortKeyColumns("--x"), ["--x", "id,"]).error).toContain(
      '--x must be column names separated by commas, or auto, got "id,"',
    );
  });

  it("columnEncodings reads column=encoding pairs", () => {
    expect(parseWith("--x <e>", columnEncodings("--x"), ["--x", "note=zstd, id = az64"]).value).toEqual({
      note: "zstd",
      id: "az64",
    });
    expect(parseWith("--x <e>", columnEncodings("--x"), ["--x", "note"]).error).toContain(
      '--x must be column=encoding pairs separated by commas (e.g. note=zstd,id=az64), got "note"',
    );
  });

  it("logLevelFlag takes the levels and the replaced system's names", () => {
    expect(parseWith("--x <l>", logLevelFlag("--x"), ["--x", "WARNING"]).value).toBe("warn");
    expect(parseWith("--x <l>", logLevelFlag("--x"), ["--x", "debug"]).value).toBe("debug");
    expect(parseWith("--x <l>", logLevelFlag("--x"), ["--x", "verbose"]).error).toContain(
      '--x must be one of debug, info, warn, error, got "verbose"',
    );
  });

  it("keyValuePairs collects repeated pairs and refuses one without a key", () => {
    expect(parseWith("--x <kv>", keyValuePairs("--x"), ["--x", "a=1", "--x", "b=x=y"]).value).toEqual({
      a: "1",
      b: "x=y",
    });
    expect(parseWith("--x <kv>", keyValuePairs("--x"), ["--x", "=1"], {}).error).toContain(
      '--x must be key=value, got "=1"',
    );
  });
});
