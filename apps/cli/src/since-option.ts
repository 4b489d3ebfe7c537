import { configError, type SluiceError } from "@sluice/core";
import { InvalidArgumentError, Option } from "commander";
import { utcInstant } from "./flag-parsers.js";

/** `--since <time>`: load only runs staged at or after a UTC instant, parsed where commander reads it. */
export const sinceOption = (): Option =>
  new Option(
    "--since <time>",
    "load only staged runs extracted at or after this UTC time, e.g. '2025-09-09 12:00:00'",
  ).argParser(utcInstant("--since"));

/**
 * The same rule for a `--since` still declared as plain text (sync-command.ts until it
 * takes {@link sinceOption}): the instant, or the config error naming the flag.
 */
export function parseSince(text: string | undefined): Date | undefined | SluiceError {
  if (text === undefined) return undefined;
  try {
    return utcInstant("--since")(text, undefined);
  } catch (thrown) {
    if (thrown instanceof InvalidArgumentError) return configError(thrown.message);
    throw thrown;
  }
}
