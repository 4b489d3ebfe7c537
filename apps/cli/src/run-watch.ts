import type { Logger, LogLevel, SluiceError } from "@sluice/core";
import { Option } from "commander";
import { err, ok, type Result } from "neverthrow";
import type { CliIo } from "./cli-io.js";
import { secondsAboveZero } from "./flag-parsers.js";
import { createProgressDisplay, type ProgressDisplay, progressModeOf } from "./progress-display.js";
import { type LoggingFlags, logLevelFlag, openRunLogging } from "./run-logging.js";
import type { SyncRunHooks } from "./sync-run.js";

/** How a run is watched: the display on stderr and the log lines (docs/progress-and-logs.md). */
export interface WatchFlags extends LoggingFlags {
  /** Seconds. */
  progressEvery?: number;
}

/** The options of `sync` that decide what a run shows and logs (added in sync-command.ts). */
export const watchOptions = {
  quiet: () =>
    new Option("-q, --quiet", "print only errors and the final summary: no progress, no per-table reports"),
  logFile: () => new Option("--log-file <path>", "append JSON log lines to this file (at --log-level)"),
  logLevel: () =>
    new Option(
      "--log-level <level>",
      "lowest level logged: debug, info, warn or error (default: $LOG_LEVEL, the pipeline file's log_level, info)",
    ).argParser(logLevelFlag("--log-level")),
  debug: () => new Option("--debug", "same as --log-level debug -v: debug JSON lines on stderr"),
  progressEvery: () =>
    new Option(
      "--progress-every <seconds>",
      "how often progress is shown: redraws on a terminal (default 0.25), a line per running table otherwise (default 30)",
    ).argParser(secondsAboveZero("--progress-every")),
};

/** The run's logger, the hooks that feed the display, and the one call that ends both. */
export interface RunWatch {
  readonly logger: Logger;
  readonly hooks: Omit<SyncRunHooks, "loggerFor">;
  readonly display: ProgressDisplay;
  close(): void;
}

/**
 * Sets up the display (live on a terminal, plain lines otherwise, none with `--quiet`)
 * and the log destinations. Log lines for stderr go through the display, so a live
 * block is redrawn under them instead of being torn.
 */
export function openRunWatch(
  flags: WatchFlags,
  io: CliIo,
  tables: number,
  fileLevel: LogLevel | undefined,
): Result<RunWatch, SluiceError> {
  const everyMs = flags.progressEvery === undefined ? undefined : Math.round(flags.progressEvery * 1000);
  const display = createProgressDisplay(io, {
    mode: progressModeOf(flags.quiet === true, io),
    tables,
    ...(everyMs !== undefined ? { everyMs } : {}),
  });
  const logging = openRunLogging(flags, io, fileLevel, (text) => display.print(text));
  if (logging.isErr()) {
    display.stop();
    return err(logging.error);
  }
  const quiet = flags.quiet === true;
  return ok({
    logger: logging.value.logger,
    display,
    hooks: quiet
      ? {}
      : {
          onTableStart: (table) => display.tableStarted(table),
          onTableEnd: (outcome) => display.tableEnded(outcome),
          onProgress: (event) => display.progress(event),
          // The engine need not report more often than the display shows.
          progressEveryMs: Math.min(everyMs ?? 250, 1_000),
        },
    close: () => {
      display.stop();
      logging.value.close();
    },
  });
}
