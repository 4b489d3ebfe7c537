import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stopProcess } from "./service-process.js";
import type { S3Endpoint } from "./services-contract.js";

export interface RunningS3 {
  readonly endpoint: S3Endpoint;
  stop(): Promise<void>;
}

// src/ and dist/ are siblings of bin/, so this resolves from either.
const runner = join(dirname(fileURLToPath(import.meta.url)), "../bin/s3rver-runner.cjs");

/** s3rver in a child process on an ephemeral loopback port, with one empty bucket. */
export async function startS3(directory: string): Promise<RunningS3> {
  const bucket = "sluice-test";
  const child = spawn(process.execPath, ["--openssl-legacy-provider", runner, directory, bucket], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}: ${stderr}`)));
  });
  return {
    endpoint: {
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      // s3rver's built-in key pair: it checks the key id, not the secret.
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      bucket,
    },
    stop: () => stopProcess(child),
  };
}
