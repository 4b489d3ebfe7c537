import { runCli } from "../src/index.js";

/** Runs the real command line in-process and collects what it printed. */
export async function sluice(args: string[], env: Record<string, string> = {}, cwd?: string) {
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
  });
  return { code, stdout, stderr };
}
