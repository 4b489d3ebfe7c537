import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "dotenv";
import type { CliIo } from "./cli-io.js";

/**
 * The `.env` of the working directory under the real environment: a variable set in
 * the process always wins, as with the replaced system. Parsed with dotenv but not
 * injected into process.env (library code reads no environment; the CLI hands `env`
 * down), and silently absent when there is no file.
 */
export function withEnvFile(io: CliIo): CliIo {
  const path = join(io.cwd ?? process.cwd(), ".env");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return io;
  }
  const fromFile = parse(text);
  const env: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(io.env)) if (value !== undefined) env[name] = value;
  return { ...io, env };
}
