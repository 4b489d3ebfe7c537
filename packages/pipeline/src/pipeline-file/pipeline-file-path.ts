import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

/**
 * `-p shop` means `pipelines/shop.yml` (or `.yaml`) under the working directory, as in
 * the replaced system; anything that looks like a path (a slash or a YAML extension)
 * is taken as one. The file is not required to exist here: loading says so.
 */
export function pipelineFilePath(nameOrPath: string, cwd: string): string {
  const looksLikePath = /[\\/]/.test(nameOrPath) || /\.ya?ml$/i.test(nameOrPath);
  if (looksLikePath) return isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath);
  for (const extension of [".yml", ".yaml"]) {
    const candidate = join(cwd, "pipelines", `${nameOrPath}${extension}`);
    if (existsSync(candidate)) return candidate;
  }
  return join(cwd, "pipelines", `${nameOrPath}.yml`);
}
