import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { reapedChildrenCpuSeconds } from "./process-cpu.js";

export interface ProcessMeasurement {
  readonly seconds: number;
  readonly peakRssBytes: number;
  /**
   * User + system CPU seconds of the process, all its threads (read when it was reaped;
   * exact only while it is the one child being measured, as everywhere in the benchmarks).
   */
  readonly cpuSeconds: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | null;
  /** The process was ended by `killAfterMs` (SIGKILL) before it exited by itself. */
  readonly killed: boolean;
}

export interface MeasureOptions {
  /** SIGKILL the process this long after it started, as `kill -9` would (the backfill benchmark). */
  readonly killAfterMs?: number;
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
  options: MeasureOptions = {},
): Promise<ProcessMeasurement> {
  const cpuBefore = await reapedChildrenCpuSeconds();
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
  let exited = false;
  let sentKill = false;
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
  const killer =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(async () => {
          if (exited) return;
          await sample(); // the last high-water mark before the kill
          sentKill = child.kill("SIGKILL");
        }, options.killAfterMs);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("close", (code, by) => {
      exited = true;
      resolve([code, by]);
    }),
  );
  // Killed only if the signal ended it: a process that exited just before the kill finished its run.
  const killed = sentKill && signal === "SIGKILL";
  clearInterval(timer);
  if (killer) clearTimeout(killer);
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    peakRssBytes: peak,
    cpuSeconds: (await reapedChildrenCpuSeconds()) - cpuBefore,
    stdout,
    stderr,
    exitCode,
    killed,
  };
}
