import { configError, type SluiceError } from "@sluice/core";
import { parseReconcileCadence, type ReconcileCadence } from "@sluice/pipeline";
import { InvalidArgumentError } from "commander";

/**
 * Commander `argParser` functions: each flag's text is checked and converted where
 * commander reads it, so an action receives typed values and never a `T | Error`.
 * A refused value throws commander's InvalidArgumentError: commander prints
 * `error: option '--x <n>' argument 'abc' is invalid. <our message>` and `runCli`
 * exits 2 (fix the command), as for every other usage error. Messages name the flag,
 * the value given and what it must be.
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
export function reconcileCadence(): FlagParser<ReconcileCadence | undefined> {
  return (text) => {
    const cadence = parseReconcileCadence(text);
    if (cadence.isErr()) throw new InvalidArgumentError(cadence.error.message);
    return cadence.value;
  };
}

/** `key=value`, repeatable, collected into one record (`--strategy-option`). */
export function keyValuePairs(flag: string): FlagParser<Record<string, string>> {
  return (text, previous) => {
    const at = text.indexOf("=");
    if (at <= 0) throw new InvalidArgumentError(`${flag} must be key=value, got "${text}"`);
    return { ...previous, [text.slice(0, at)]: text.slice(at + 1) };
  };
}

/**
 * A value that reached a flag's record either parsed by commander (a number) or as
 * text from a pipeline file (`pipeline-run-plan.ts` maps `retry:` onto the flag
 * names): text goes through the same parser, a refusal becomes a config error.
 */
export function flagValue<T>(
  parser: FlagParser<T | undefined>,
  value: T | string | undefined,
): { value: T | undefined } | { error: SluiceError } {
  if (typeof value !== "string") return { value };
  try {
    return { value: parser(value, undefined) };
  } catch (thrown) {
    if (thrown instanceof InvalidArgumentError) return { error: configError(thrown.message) };
    throw thrown;
  }
}
