import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { CdcStrategy } from "@sluice/cdc-strategies";
import { strategiesFromModule } from "@sluice/cdc-strategies";
import type { SluiceError } from "@sluice/core";
import { configError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";

/**
 * Loads custom CDC strategies for `--strategy-module`. Each specifier is either a path
 * (`./my-strategy.js`, `/opt/etl/strategy.mjs`, `file:///...`), resolved from `cwd`, or
 * the name of a package installed where sluice runs (`@acme/sluice-strategies`),
 * resolved from `cwd`'s node_modules as Node's `require.resolve` would. The module
 * must be JavaScript Node can import (ESM or CommonJS) and export its strategies as
 * described in docs/custom-strategy.md; its exports are checked before use.
 */
export async function loadStrategyModules(
  specifiers: readonly string[],
  cwd: string,
): Promise<Result<CdcStrategy[], SluiceError>> {
  const loaded: CdcStrategy[] = [];
  for (const specifier of specifiers) {
    const url = resolveSpecifier(specifier, cwd);
    if (url.isErr()) return err(url.error);
    let exports: unknown;
    try {
      exports = await import(url.value);
    } catch (thrown) {
      const detail = thrown instanceof Error ? thrown.message.split("\n")[0] : String(thrown);
      return err(
        configError(
          `--strategy-module ${specifier}: cannot import ${url.value}: ${detail}; it must be JavaScript (compile TypeScript first)`,
          thrown,
        ),
      );
    }
    const strategies = strategiesFromModule(exports, specifier);
    if (strategies.isErr()) return err(strategies.error);
    loaded.push(...strategies.value);
  }
  return ok(loaded);
}

function resolveSpecifier(specifier: string, cwd: string): Result<string, SluiceError> {
  if (specifier.startsWith("file:")) return ok(specifier);
  if (specifier.startsWith(".") || isAbsolute(specifier)) {
    return ok(pathToFileURL(isAbsolute(specifier) ? specifier : resolve(cwd, specifier)).href);
  }
  try {
    return ok(pathToFileURL(createRequire(join(cwd, "package.json")).resolve(specifier)).href);
  } catch (thrown) {
    return err(
      configError(
        `--strategy-module ${specifier}: no such package installed under ${cwd} (node_modules) and not a path; install it (npm install ${specifier}) or pass a path starting with ./ or /`,
        thrown,
      ),
    );
  }
}
