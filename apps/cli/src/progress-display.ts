import type { SyncProgress } from "@sluice/pipeline";
import type { CliIo } from "./cli-io.js";
import type { TableOutcome } from "./sync-run.js";

/**
 * `live`: a block on a terminal redrawn in place, a line per table in flight.
 * `lines`: plain lines for logs (cron, Airflow), a line per running table every interval.
 * `off`: nothing (`--quiet`).
 */
export type ProgressMode = "live" | "lines" | "off";

/** What the sync run tells the display, and the one way other stderr text gets past it. */
export interface ProgressDisplay {
  tableStarted(table: string): void;
  progress(event: SyncProgress): void;
  tableEnded(outcome: TableOutcome): void;
  /** Text for stderr (log lines): written above the live block so neither tears the other. */
  print(text: string): void;
  /** Removes the live block and stops the timer; the finished-table lines stay. */
  stop(): void;
}

export interface ProgressDisplayOptions {
  readonly mode: ProgressMode;
  /** Tables in the run, for the header ("3/20 done"). */
  readonly tables: number;
  /** Redraw period (live, default 250 ms: at most 4 a second) or line period (lines, default 30 s). */
  readonly everyMs?: number;
  /** Injected clock (ms), for tests. */
  readonly now?: () => number;
}

export const defaultLiveEveryMs = 250;
export const defaultLinesEveryMs = 30_000;

/** Live on a terminal, plain lines elsewhere, nothing with `--quiet`. */
export function progressModeOf(quiet: boolean, io: CliIo): ProgressMode {
  if (quiet) return "off";
  return io.isTTY ? "live" : "lines";
}

interface TableState {
  readonly table: string;
  readonly startedAt: number;
  stage: SyncProgress["stage"] | null;
  stageStartedAt: number;
  rowsDone: number;
  rowsEstimated: number | undefined;
  /** lines mode: a line was printed, so its end is printed too. */
  announced: boolean;
}

/**
 * The display of a run on stderr. Everything it shows comes from the engine's
 * throttled progress events and the table start/end hooks; it reads nothing itself.
 */
export function createProgressDisplay(io: CliIo, options: ProgressDisplayOptions): ProgressDisplay {
  const now = options.now ?? (() => performance.now());
  const running = new Map<string, TableState>();
  const ended = { ok: 0, failed: 0, skipped: 0 };
  if (options.mode === "off") {
    return {
      tableStarted() {},
      progress() {},
      tableEnded() {},
      print: (text) => io.stderr(text),
      stop() {},
    };
  }
  const live = options.mode === "live";
  const everyMs = options.everyMs ?? (live ? defaultLiveEveryMs : defaultLinesEveryMs);
  const width = Math.max(40, (io.columns ?? 80) - 1);
  let drawn = 0;
  let dirty = false;

  const erase = () => {
    // Back to the block's first line, then clear to the end of the screen.
    if (drawn > 0) io.stderr(`\r\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    const done = ended.ok + ended.failed + ended.skipped;
    const lines = [
      fit(
        `sluice: ${done}/${options.tables} tables done, ${running.size} running${ended.failed ? `, ${ended.failed} failed` : ""}`,
        width,
      ),
      ...[...running.values()].map((state) => fit(`  ${describe(state, now())}`, width)),
    ];
    io.stderr(`${lines.join("\n")}\n`);
    drawn = lines.length;
    dirty = false;
  };
  const redraw = () => {
    erase();
    draw();
  };
  const tick = () => {
    if (live) {
      if (dirty) redraw();
      return;
    }
    for (const state of running.values()) {
      if (state.stage === null) continue;
      state.announced = true;
      io.stderr(`sluice progress: ${describe(state, now())}\n`);
    }
  };
  const timer = setInterval(tick, everyMs);
  // A display never keeps the process alive.
  timer.unref?.();

  return {
    tableStarted(table) {
      const at = now();
      running.set(table, {
        table,
        startedAt: at,
        stage: null,
        stageStartedAt: at,
        rowsDone: 0,
        rowsEstimated: undefined,
        announced: false,
      });
      dirty = true;
    },
    progress(event) {
      const state = running.get(event.table);
      if (!state) return;
      if (state.stage !== event.stage) {
        state.stage = event.stage;
        state.stageStartedAt = now();
      }
      state.rowsDone = event.rowsDone;
      state.rowsEstimated = event.rowsEstimated;
      dirty = true;
    },
    tableEnded(outcome) {
      const state = running.get(outcome.table);
      running.delete(outcome.table);
      ended[outcome.status] += 1;
      if (live) {
        erase();
        io.stderr(`${fit(finishedLine(outcome), width)}\n`);
        draw();
      } else if (state?.announced) {
        io.stderr(`sluice progress: ${finishedLine(outcome)}\n`);
      }
    },
    print(text) {
      if (!live || drawn === 0) {
        io.stderr(text);
        return;
      }
      erase();
      io.stderr(text);
      draw();
    },
    stop() {
      clearInterval(timer);
      if (live) erase();
    },
  };
}

/** `shop.orders  extract  120,000/~200,000 rows  60%  41,200 rows/s  ETA 2s` */
function describe(state: TableState, at: number): string {
  if (state.stage === null) return `${state.table}  starting`;
  const seconds = (at - state.stageStartedAt) / 1000;
  const rate = seconds > 0 ? state.rowsDone / seconds : 0;
  // Past the estimate (it is the optimizer's guess) a total and an ETA would mislead.
  const estimated =
    state.rowsEstimated !== undefined && state.rowsEstimated >= state.rowsDone
      ? state.rowsEstimated
      : undefined;
  const parts = [state.table, state.stage];
  if (estimated !== undefined && estimated > 0) {
    parts.push(`${count(state.rowsDone)}/~${count(estimated)} rows`);
    parts.push(`${Math.min(100, Math.floor((state.rowsDone / estimated) * 100))}%`);
  } else {
    parts.push(`${count(state.rowsDone)} rows`);
  }
  if (rate > 0) parts.push(`${count(Math.round(rate))} rows/s`);
  if (estimated !== undefined && rate > 0) parts.push(`ETA ${duration((estimated - state.rowsDone) / rate)}`);
  return parts.join("  ");
}

function finishedLine(outcome: TableOutcome): string {
  const seconds = (outcome.finishedAt.getTime() - outcome.startedAt.getTime()) / 1000;
  if (outcome.status === "skipped") return `skipped  ${outcome.table}`;
  if (outcome.status === "failed")
    return `failed   ${outcome.table}  after ${duration(seconds)} (exit ${outcome.exitCode})`;
  const rows = outcome.report?.extract?.rows ?? outcome.report?.load?.rowsStaged ?? 0;
  const rate = seconds > 0 ? `, ${count(Math.round(rows / seconds))} rows/s` : "";
  return `ok       ${outcome.table}  ${count(rows)} rows in ${duration(seconds)}${rate}`;
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}

/** 0.4s, 42s, 3m05s, 2h07m. */
function duration(seconds: number): string {
  if (seconds < 10) return `${Math.max(0, seconds).toFixed(1)}s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}

/** Lines never wrap: a wrapped line would throw off the count the redraw moves up by. */
function fit(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
