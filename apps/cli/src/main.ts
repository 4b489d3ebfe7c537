#!/usr/bin/env -S node --max-semi-space-size=8
import { runCli } from "./program.js";

// Why the flag: V8 sizes the young generation for throughput, and a sync allocates
// short-lived row strings fast, so by default the heap (and RSS) balloons past 300 MiB
// on a 1M-row table. Capping each semi-space at 8 MiB held peak RSS at ~170 MiB with
// no loss of speed (docs/benchmarks.md). `env -S` passes the flag on Linux and macOS.

// The only place that reads the process: argv, environment, exit code.
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stderr.isTTY === true,
  ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
});
