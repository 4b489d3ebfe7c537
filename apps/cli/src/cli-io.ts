/** What the CLI touches of its process, injectable so tests run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative `--strategy-module` paths and package names resolve from; default the process's. */
  readonly cwd?: string;
}
