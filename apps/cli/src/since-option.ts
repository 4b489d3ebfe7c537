import { Option } from "commander";
import { utcInstant } from "./flag-parsers.js";

/** `--since <time>`: load only runs staged at or after a UTC instant, parsed where commander reads it. */
export const sinceOption = (): Option =>
  new Option(
    "--since <time>",
    "load only staged runs extracted at or after this UTC time, e.g. '2025-09-09 12:00:00'",
  ).argParser(utcInstant("--since"));
