/** What the CLI touches of its process, injectable so tests run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative `--strategy-module` paths and package names resolve from; default the process's. */
  readonly cwd?: string;
  /** stderr is a terminal: progress is drawn live in place, else written as plain lines. */
  readonly isTTY?: boolean;
  /** The terminal's width, so live progress lines never wrap. */
  readonly columns?: number;
  /** Milliseconds on a monotonic clock for `--max-duration`; default `performance.now`. Tests inject one. */
  readonly budgetClock?: () => number;
}
