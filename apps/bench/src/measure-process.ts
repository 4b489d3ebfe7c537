import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";

export interface ProcessMeasurement {
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}

/**
 * Runs a command and samples the kernel's high-water mark of its resident set
 * (VmHWM in /proc/<pid>/status) until it exits: the peak RSS of that process alone.
 */
export async function measureProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  stdoutToNull = false,
): Promise<ProcessMeasurement> {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ["ignore", stdoutToNull ? "ignore" : "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  let peak = 0;
  const sample = async () => {
    try {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      if (match) peak = Math.max(peak, Number(match[1]) * 1024);
    } catch {
      // the process has exited between samples
    }
  };
  const timer = setInterval(sample, 50);
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(timer);
  return { seconds: (performance.now() - started) / 1000, peakRssBytes: peak, stdout, stderr, exitCode };
}
