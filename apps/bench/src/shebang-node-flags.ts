import { readFile } from "node:fs/promises";

/** What the `sluice` executable's shebang (`#!/usr/bin/env -S [NAME=value..] node [flags..]`) sets. */
interface ShebangLaunch {
  /** Environment assignments `env` makes before starting Node (e.g. MALLOC_ARENA_MAX). */
  readonly env: Record<string, string>;
  readonly nodeFlags: string[];
}

async function shebangLaunch(script: string): Promise<ShebangLaunch> {
  const firstLine = (await readFile(script, "utf8")).split("\n", 1)[0] ?? "";
  const match = /^#!\S*env -S (.*)$/.exec(firstLine);
  const words = match?.[1]?.trim().split(/\s+/) ?? [];
  const node = words.indexOf("node");
  const env: Record<string, string> = {};
  for (const word of words.slice(0, Math.max(node, 0))) {
    const [name, ...value] = word.split("=");
    if (name && value.length > 0) env[name] = value.join("=");
  }
  return { env, nodeFlags: node < 0 ? [] : words.slice(node + 1) };
}

/** The Node flags the shebang carries, so a bench runs the CLI as users do. */
export async function shebangNodeFlags(script: string): Promise<string[]> {
  return (await shebangLaunch(script)).nodeFlags;
}

/** The environment the shebang sets before Node starts (merge it into the bench's own). */
export async function shebangEnv(script: string): Promise<Record<string, string>> {
  return (await shebangLaunch(script)).env;
}
