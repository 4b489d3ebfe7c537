import type { CliIo } from "../src/cli-io.js";
import { runCli } from "../src/index.js";

/**
 * Runs the real command line in-process and collects what it printed. `io` adds what
 * a test injects besides the environment (e.g. the `--max-duration` clock).
 */
export async function sluice(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
  io: Pick<CliIo, "budgetClock"> = {},
) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env,
    ...(cwd !== undefined ? { cwd } : {}),
    ...io,
  });
  return { code, stdout, stderr };
}
