import { redactSecrets, type SluiceError } from "@sluice/core";
import type { CliIo } from "./cli-io.js";
import { exitCodeFor } from "./exit-codes.js";

/**
 * How every command ends on an error: one line on stderr, secrets redacted, and the
 * exit code its kind calls for (docs in README, "Exit codes").
 */
export function failWith(io: CliIo, setExitCode: (code: number) => void) {
  return (error: Pick<SluiceError, "message" | "kind" | "retryable">): void => {
    io.stderr(`sluice: ${redactSecrets(error.message)}\n`);
    setExitCode(exitCodeFor(error.kind, error.retryable));
  };
}
