import { createRequire } from "node:module";

/** The CLI package's own version (from its package.json, beside `dist/`), or "unknown". */
export function sluiceVersion(): string {
  try {
    return String((createRequire(import.meta.url)("../package.json") as { version?: string }).version);
  } catch {
    return "unknown";
  }
}
