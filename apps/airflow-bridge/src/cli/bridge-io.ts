/** What `sluice-airflow` touches of its process, injectable so tests run it in-process. */
export interface BridgeIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** For `${VAR}` in pipeline files, read as `sluice sync -p` reads them. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where `-p <name>` looks for pipelines/<name>.yml. */
  readonly cwd: string;
}
