/** What `sluice-airflow` touches of its process, injectable so tests run it in-process. */
export interface BridgeIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}
