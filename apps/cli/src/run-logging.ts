import { closeSync, openSync, writeSync } from "node:fs";
import { resolve } from "node:path";
import {
  configError,
  createJsonLogger,
  type Logger,
  type LogLevel,
  type SluiceError,
  silentLogger,
} from "@sluice/core";
import { InvalidArgumentError } from "commander";
import { err, ok, type Result } from "neverthrow";
import type { CliIo } from "./cli-io.js";
import type { FlagParser } from "./flag-parsers.js";

/** The flags of `sync` that decide where log lines go and which levels pass. */
export interface LoggingFlags {
  verbose?: boolean;
  quiet?: boolean;
  logFile?: string;
  /** Parsed where commander reads it ({@link logLevelFlag}). */
  logLevel?: LogLevel;
  debug?: boolean;
}

/** A run's logger and how to let go of what it holds (the log file). */
export interface RunLogging {
  readonly logger: Logger;
  readonly level: LogLevel;
  /** JSON lines also go to stderr (`-v`, `--debug`). */
  readonly toStderr: boolean;
  close(): void;
}

const levels: readonly LogLevel[] = ["debug", "info", "warn", "error"];
/** The replaced system's (Python logging's) names, so its `LOG_LEVEL=WARNING` keeps working. */
const aliases: Readonly<Record<string, LogLevel>> = { warning: "warn", critical: "error", fatal: "error" };

/**
 * The level: `--debug`, else `--log-level`, else `LOG_LEVEL`, else the pipeline file's
 * `log_level:`, else info. A value that is not a level is refused naming where it came
 * from, rather than silently logging less than the operator asked for.
 */
export function logLevelOf(
  flags: LoggingFlags,
  io: CliIo,
  fromFile: LogLevel | undefined,
): Result<LogLevel, SluiceError> {
  if (flags.debug) return ok("debug");
  if (flags.logLevel) return ok(flags.logLevel);
  const fromEnv = io.env.LOG_LEVEL;
  if (fromEnv !== undefined && fromEnv !== "") {
    const level = levelNamed(fromEnv);
    if (!level)
      return err(configError(`LOG_LEVEL ${fromEnv} is not a log level; use one of ${levels.join(", ")}`));
    return ok(level);
  }
  return ok(fromFile ?? "info");
}

/** `--log-level`, parsed where commander reads it; the replaced system's names are taken too. */
export function logLevelFlag(flag: string): FlagParser<LogLevel | undefined> {
  return (text) => {
    const level = levelNamed(text);
    if (!level) {
      throw new InvalidArgumentError(`${flag} must be one of ${levels.join(", ")}, got "${text}"`);
    }
    return level;
  };
}

function levelNamed(text: string): LogLevel | undefined {
  const name = text.trim().toLowerCase();
  const level = aliases[name] ?? name;
  return levels.find((known) => known === level);
}

/**
 * JSON log lines, one logger for every destination: stderr with `-v`/`--debug` (through
 * `writeStderr`, so a live progress display can keep the line above itself), and the
 * `--log-file`, appended, at the same level. Each line passes `redactSecrets` in
 * createJsonLogger before it reaches either.
 */
export function openRunLogging(
  flags: LoggingFlags,
  io: CliIo,
  fromFile: LogLevel | undefined,
  writeStderr: (text: string) => void,
): Result<RunLogging, SluiceError> {
  const level = logLevelOf(flags, io, fromFile);
  if (level.isErr()) return err(level.error);
  const toStderr = flags.verbose === true || flags.debug === true;
  let fd: number | null = null;
  if (flags.logFile) {
    const path = resolve(io.cwd ?? process.cwd(), flags.logFile);
    try {
      fd = openSync(path, "a");
    } catch (thrown) {
      const reason = (thrown as NodeJS.ErrnoException).code ?? String(thrown);
      return err(
        configError(
          `--log-file ${path} cannot be opened for appending (${reason}); pass a path in a writable directory`,
        ),
      );
    }
  }
  const file = fd;
  const sinks: ((line: string) => void)[] = [];
  if (toStderr) sinks.push((line) => writeStderr(`${line}\n`));
  // Synchronous appends: lines land in order and survive a crash that follows them.
  if (file !== null) sinks.push((line) => writeSync(file, `${line}\n`));
  const logger =
    sinks.length === 0
      ? silentLogger
      : createJsonLogger({
          level: level.value,
          write: (line) => {
            for (const sink of sinks) sink(line);
          },
        });
  return ok({
    logger,
    level: level.value,
    toStderr,
    close: () => {
      if (file !== null) closeSync(file);
    },
  });
}
