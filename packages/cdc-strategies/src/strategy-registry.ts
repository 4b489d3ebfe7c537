import type { SluiceError } from "@sluice/core";
import { configError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { CdcStrategy } from "./cdc-strategy.js";
import { fullSnapshotStrategy } from "./full-snapshot-strategy.js";
import { hybridKeysetStrategy } from "./hybrid-keyset-strategy.js";
import { idKeysetStrategy } from "./id-keyset-strategy.js";
import { timestampStrategy } from "./timestamp-strategy.js";

export const defaultStrategyName = "hybrid";

/** The strategies every registry starts with, in `--help` order. */
export const builtInStrategies: readonly CdcStrategy[] = [
  hybridKeysetStrategy,
  timestampStrategy,
  idKeysetStrategy,
  fullSnapshotStrategy,
];

/** Strategies by name, so `--strategy <name>` and custom planners meet in one place. */
export interface StrategyRegistry {
  get(name: string): Result<CdcStrategy, SluiceError>;
  /** Adds a strategy; one with the same name replaces the earlier one (a team may swap a built-in). */
  register(strategy: CdcStrategy): void;
  names(): readonly string[];
}

/** The built-ins (hybrid, timestamp, id, full) plus `initial`, which may replace built-ins by name. */
export function createStrategyRegistry(initial: readonly CdcStrategy[] = []): StrategyRegistry {
  const byName = new Map<string, CdcStrategy>();
  for (const strategy of [...builtInStrategies, ...initial]) byName.set(strategy.name, strategy);
  return {
    get(name) {
      const found = byName.get(name);
      if (found) return ok(found);
      return err(
        configError(
          `unknown CDC strategy "${name}"; known strategies: ${[...byName.keys()].join(", ")}; a custom one is loaded with --strategy-module <path or package>`,
        ),
      );
    },
    register(strategy) {
      byName.set(strategy.name, strategy);
    },
    names: () => [...byName.keys()],
  };
}
