import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Apache Airflow for the tests: a pinned virtual environment built once per machine by
 * airflow/ensure-venv.sh, and a throwaway AIRFLOW_HOME (SQLite metadata DB) per test.
 */
export const bridgeRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = join(bridgeRoot, "..", "..");

export interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The venv's directory, installing Airflow first if this machine has none. Throws
 * (failing the suite, never skipping it) with the script's message naming the step.
 */
export async function airflowVenv(series: "3" | "2.10"): Promise<string> {
  const script = join(bridgeRoot, "airflow", "ensure-venv.sh");
  const outcome = await run("bash", [script, series], { ...stringEnv(process.env) });
  const venv = outcome.stdout.trim().split("\n").at(-1) ?? "";
  if (outcome.code !== 0 || venv === "") {
    throw new Error(`Airflow ${series} is needed for this test and could not be set up:\n${outcome.stderr}`);
  }
  return venv;
}

export interface AirflowHome {
  readonly home: string;
  readonly dags: string;
  /** Environment for the `airflow` command: this home, SQLite, no examples, plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Deletes the home (metadata DB, logs, DAG files). */
  remove(): Promise<void>;
}

export async function airflowHome(): Promise<AirflowHome> {
  const home = await mkdtemp(join(tmpdir(), "sluice-airflow-"));
  const dags = join(home, "dags");
  return {
    home,
    dags,
    env: (extra = {}) => ({
      PATH: process.env.PATH ?? "",
      HOME: home,
      AIRFLOW_HOME: home,
      AIRFLOW__CORE__DAGS_FOLDER: dags,
      AIRFLOW__CORE__LOAD_EXAMPLES: "False",
      ...extra,
    }),
    remove: () => rm(home, { recursive: true, force: true }),
  };
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
