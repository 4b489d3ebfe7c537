import { parseReconcileCadence, type ReconcileCadence } from "@sluice/pipeline";
import { InvalidArgumentError } from "commander";

/**
 * Commander `argParser` functions: each flag's text is checked and converted where
 * commander reads it, so an action receives typed values and never a `T | Error`.
 * A refused value throws commander's InvalidArgumentError: commander prints
 * `error: option '--x <n>' argument 'abc' is invalid. <our message>` and `runCli`
 * exits 2 (fix the command), as for every other usage error. Messages name the flag,
 * the value given and what it must be.
 *
 * Each factory takes the name to put in its messages: the flag for commander, the
 * file key (`tables.2.page_size`) when a pipeline file's value goes through the same
 * parser (pipeline-file-settings.ts).
 */
export type FlagParser<T> = (text: string, previous: T) => T;

/** A whole number >= 1 (`--limit`, `--rows-per-file`, `--page-size`, `--max-chunks`, ...). */
export function positiveWholeNumber(flag: string): FlagParser<number | undefined> {
  return (text) => {
    const value = /^[1-9][0-9]*$/.test(text.trim()) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value)) {
      throw new InvalidArgumentError(`${flag} must be a positive whole number, got "${text}"`);
    }
    return value;
  };
}

/** A whole number >= 0 (`--retry-attempts`, `--reconcile-max-deletes`, ...). */
export function wholeNumberAtLeastZero(flag: string): FlagParser<number | undefined> {
  return (text) => {
    const value = /^[0-9]+$/.test(text.trim()) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value)) {
      throw new InvalidArgumentError(`${flag} must be a whole number >= 0, got "${text}"`);
    }
    return value;
  };
}

/** A whole number from `min` to `max` (`--parallel`: 1 to 64). */
export function wholeNumberInRange(flag: string, min: number, max: number): FlagParser<number | undefined> {
  return (text) => {
    const value = /^[0-9]+$/.test(text.trim()) ? Number(text) : Number.NaN;
    if (!(value >= min && value <= max)) {
      throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
    }
    return value;
  };
}

/** A whole number, negative allowed (`watermark-count set-count --count`: additive corrections). */
export function signedWholeNumber(flag: string): FlagParser<number | undefined> {
  return (text) => {
    const value = /^-?[0-9]+$/.test(text.trim()) ? Number(text) : Number.NaN;
    // Above 2^53 a count would be stored rounded: refuse it rather than store another number.
    if (!Number.isSafeInteger(value)) {
      throw new InvalidArgumentError(`${flag} must be a whole number, got "${text}"`);
    }
    return value;
  };
}

/** A number of seconds >= 0, fractions allowed (`--safety-lag-seconds`). */
export function secondsAtLeastZero(flag: string): FlagParser<number | undefined> {
  return (text) => {
    if (!/^[0-9]+(\.[0-9]+)?$/.test(text.trim())) {
      throw new InvalidArgumentError(`${flag} must be a number of seconds >= 0, got "${text}"`);
    }
    return Number(text);
  };
}

/** A number of seconds above 0, fractions allowed (`--progress-every 0.5`). */
export function secondsAboveZero(flag: string): FlagParser<number | undefined> {
  return (text) => {
    const value = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(text.trim()) ? Number(text) : Number.NaN;
    if (!(value > 0)) {
      throw new InvalidArgumentError(
        `${flag} must be a number of seconds above 0 (e.g. 0.5 or 60), got "${text}"`,
      );
    }
    return value;
  };
}

/**
 * A UTC instant (`--since '2025-09-09 12:00:00'`; the lake's run ids and partitions
 * are UTC). Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]`, the same with `T`,
 * and ISO 8601 with an explicit offset (`Z`, `+02:00`).
 */
export function utcInstant(flag: string): FlagParser<Date | undefined> {
  return (text) => {
    const match =
      /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?(Z|[+-]\d{2}:\d{2})?$/.exec(
        text.trim(),
      );
    const at = match ? new Date(`${match[1]}T${match[2] ?? "00:00"}${match[3] ?? "Z"}`) : null;
    if (!at || Number.isNaN(at.getTime()) || !isCalendarDate(match?.[1] ?? "")) {
      throw new InvalidArgumentError(
        `${flag} must be a time like '2025-09-09 12:00:00' (UTC) or 2025-09-09T12:00:00+02:00, got "${text}"`,
      );
    }
    return at;
  };
}

/** `2025-02-30` parses as 2 March in V8: a date is only taken if it exists. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An age `7d`, `24h` or `30m`, in milliseconds (`s3clean --older-than`). */
export function ageInMilliseconds(flag: string): FlagParser<number | undefined> {
  return (text) => {
    const match = /^\s*(\d+)\s*([dhm])\s*$/.exec(text);
    if (!match) {
      throw new InvalidArgumentError(
        `${flag} must be a number followed by d, h or m (7d, 24h, 30m), got "${text}"`,
      );
    }
    return Number(match[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as "d" | "h" | "m"];
  };
}

/**
 * A time budget in milliseconds (`--max-duration`): whole seconds (`90`), or a whole
 * number followed by s, m or h (`90s`, `15m`, `2h`); zero is refused (a run that may
 * not run is a mistake, not a budget).
 */
export function durationInMilliseconds(flag: string): FlagParser<number | undefined> {
  return (text) => {
    const match = /^\s*([1-9][0-9]*)\s*([smh]?)\s*$/.exec(text);
    const value = match
      ? Number(match[1]) * { "": 1000, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "" | "s" | "m" | "h"]
      : Number.NaN;
    if (!Number.isSafeInteger(value)) {
      throw new InvalidArgumentError(
        `${flag} must be a duration > 0: seconds (90), or a number followed by s, m or h (90s, 15m, 2h), got "${text}"`,
      );
    }
    return value;
  };
}

/** `off`, `every` or a number of hours (`--reconcile-deletes 24h`); the pipeline's own rule. */
export function reconcileCadence(flag: string): FlagParser<ReconcileCadence | undefined> {
  return (text) => {
    const cadence = parseReconcileCadence(text);
    if (cadence.isErr()) {
      throw new InvalidArgumentError(
        `${flag} must be off, every, or a number of hours such as 24h or 24-hours, got "${text}"`,
      );
    }
    return cadence.value;
  };
}

/** `key=value`, repeatable, collected into one record (`--strategy-option`). */
export function keyValuePairs(flag: string): FlagParser<Record<string, string> | undefined> {
  return (text, previous) => {
    const at = text.indexOf("=");
    if (at <= 0) throw new InvalidArgumentError(`${flag} must be key=value, got "${text}"`);
    return { ...previous, [text.slice(0, at)]: text.slice(at + 1) };
  };
}

/**
 * One of a few words, any case (`--dist-style KEY` is `key`): commander's `choices`
 * would refuse the case and not say which flag in a pipeline file's terms.
 */
export function oneOf<const T extends string>(flag: string, words: readonly T[]): FlagParser<T | undefined> {
  return (text) => {
    const word = words.find((known) => known === text.trim().toLowerCase());
    if (word === undefined) {
      throw new InvalidArgumentError(`${flag} must be one of ${words.join(", ")}, got "${text}"`);
    }
    return word;
  };
}

/** Column names separated by commas (`--latest-view-key order_id,line`). */
export function columnNames(flag: string): FlagParser<readonly string[] | undefined> {
  return (text) => {
    const columns = text.split(",").map((column) => column.trim());
    if (columns.some((column) => column === "")) {
      throw new InvalidArgumentError(`${flag} must be column names separated by commas, got "${text}"`);
    }
    return columns;
  };
}

/** `--sort-key a,b` or `--sort-key auto` (Redshift picks). */
export function sortKeyColumns(flag: string): FlagParser<readonly string[] | "auto" | undefined> {
  return (text) => {
    const columns = text.split(",").map((column) => column.trim());
    if (columns.some((column) => column === "")) {
      throw new InvalidArgumentError(
        `${flag} must be column names separated by commas, or auto, got "${text}"`,
      );
    }
    return columns.length === 1 && columns[0]?.toLowerCase() === "auto" ? "auto" : columns;
  };
}

/** `--encode note=zstd,id=az64`: an encoding per column. */
export function columnEncodings(flag: string): FlagParser<Readonly<Record<string, string>> | undefined> {
  return (text) => {
    const encodings: Record<string, string> = {};
    for (const pair of text.split(",")) {
      const match = /^\s*([^=\s]+)\s*=\s*([A-Za-z0-9]+)\s*$/.exec(pair);
      if (!match) {
        throw new InvalidArgumentError(
          `${flag} must be column=encoding pairs separated by commas (e.g. note=zstd,id=az64), got "${text}"`,
        );
      }
      encodings[match[1] as string] = match[2] as string;
    }
    return encodings;
  };
}
