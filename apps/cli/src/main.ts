#!/usr/bin/env node
import { runCli } from "./program.js";

// The only place that reads the process: argv, environment, exit code.
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
