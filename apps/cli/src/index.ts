export type { CliIo } from "./cli-io.js";
export { exitCodeFor } from "./exit-codes.js";
export { runCli } from "./program.js";
