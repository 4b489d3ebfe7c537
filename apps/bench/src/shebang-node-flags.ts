import { readFile } from "node:fs/promises";

/** The Node flags the `sluice` executable's shebang carries, so a bench runs it as users do. */
export async function shebangNodeFlags(script: string): Promise<string[]> {
  const firstLine = (await readFile(script, "utf8")).split("\n", 1)[0] ?? "";
  const match = /^#!\S*env -S node (.*)$/.exec(firstLine);
  return match?.[1] ? match[1].trim().split(/\s+/) : [];
}
