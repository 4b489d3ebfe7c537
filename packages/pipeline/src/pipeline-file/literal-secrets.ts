import { pathKey } from "./env-interpolation.js";
import type { PipelineFileContent } from "./pipeline-file-schema.js";

/**
 * Secrets written into a pipeline file as literals. Pipeline files are committed and
 * shared, so passwords belong in the environment (`${DB_PASSWORD}`) or a `.env` that
 * is not; `sluice config` prints these warnings, the run itself still works.
 */
export function literalSecretWarnings(
  content: PipelineFileContent,
  interpolatedPaths: ReadonlySet<string>,
  locate: (path: readonly (string | number)[]) => string,
): string[] {
  const warnings: string[] = [];
  const check = (path: readonly (string | number)[], value: string | undefined, what: string) => {
    if (value === undefined || value === "" || interpolatedPaths.has(pathKey(path))) return;
    warnings.push(
      `${locate(path)}: ${pathKey(path)} holds a literal ${what}; write \${VARIABLE} and set it in the environment or .env`,
    );
  };
  const connections = content.connections ?? {};
  for (const side of ["source", "target"] as const) {
    const entry = connections[side];
    if (!entry) continue;
    check(["connections", side, "password"], entry.password, "password");
    if (entry.url && urlHasPassword(entry.url))
      check(["connections", side, "url"], entry.url, "password in its URL");
    check(["connections", side, "ssh", "key_passphrase"], entry.ssh?.key_passphrase, "key passphrase");
  }
  check(
    ["connections", "lake", "secret_access_key"],
    connections.lake?.secret_access_key,
    "secret access key",
  );
  return warnings;
}

function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return false;
  }
}
