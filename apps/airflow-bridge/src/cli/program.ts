import { Command, CommanderError } from "commander";
import type { BridgeIo } from "./bridge-io.js";
import { dagCommand } from "./dag-command.js";

/** Runs `sluice-airflow` in-process and resolves to the exit code (0 ok, 2 fix the flags, 1 else). */
export async function runBridgeCli(argv: readonly string[], io: BridgeIo): Promise<number> {
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const output = { writeOut: io.stdout, writeErr: io.stderr };
  const program = new Command("sluice-airflow")
    .description("Airflow integration for sluice")
    .exitOverride()
    .configureOutput(output)
    .showSuggestionAfterError()
    .addCommand(dagCommand(io, setExitCode).exitOverride().configureOutput(output));
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (thrown) {
    if (thrown instanceof CommanderError) return thrown.exitCode === 0 ? 0 : 2;
    throw thrown;
  }
  return exitCode;
}
