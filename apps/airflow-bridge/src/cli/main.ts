#!/usr/bin/env node
import { runBridgeCli } from "./program.js";

// The only place that touches the process: argv, environment, cwd, output, exit code.
process.exitCode = await runBridgeCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
});
