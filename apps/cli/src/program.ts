import { Command, CommanderError } from "commander";
import type { CliIo } from "./cli-io.js";
import { sluiceVersion } from "./cli-version.js";
import { configCommand } from "./config-command.js";
import { withEnvFile } from "./env-file.js";
import { infoCommand } from "./info-command.js";
import { reconcileCommand } from "./reconcile-command.js";
import { runsCommand } from "./runs-command.js";
import { s3cleanCommand } from "./s3clean-command.js";
import { statusCommand } from "./status-command.js";
import { syncCommand } from "./sync-command.js";
import { watermarkCommand, watermarkCountCommand } from "./watermark-command.js";

/**
 * Runs the CLI in-process and resolves to the exit code, so tests drive the real
 * command line without spawning and `main.ts` stays a two-liner.
 */
export async function runCli(argv: readonly string[], processIo: CliIo): Promise<number> {
  const io = withEnvFile(processIo);
  let exitCode = 0;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const program = new Command("sluice")
    .description("copy MySQL tables incrementally into Parquet on S3 and load them into Redshift")
    .version(sluiceVersion(), "-V, --version", "print the sluice version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    })
    .showSuggestionAfterError()
    // A parent's options stay before its subcommand (`config -p x` vs `config validate -p x`).
    .enablePositionalOptions();
  for (const command of [
    syncCommand(io, setExitCode),
    watermarkCommand(io, setExitCode),
    watermarkCountCommand(io, setExitCode),
    reconcileCommand(io, setExitCode),
    configCommand(io, setExitCode),
    s3cleanCommand(io, setExitCode),
    runsCommand(io, setExitCode),
    statusCommand(io, setExitCode),
    infoCommand(io, setExitCode),
  ]) {
    program.addCommand(quiet(command));
  }
  function quiet(command: Command): Command {
    // Nested commands (config validate) too: a usage error must never exit the process.
    for (const sub of command.commands) quiet(sub);
    return command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      // Help and version exit 0; usage errors (already printed by commander) exit 2.
      return thrown.exitCode === 0 ? 0 : 2;
    }
    throw thrown;
  }
  return exitCode;
}
