import type { SluiceError } from "@sluice/core";
import { configError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { CdcStrategy } from "./cdc-strategy.js";

const namePattern = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * The strategies a loaded module exports: its default export, `strategy` or
 * `strategies` — each a {@link CdcStrategy} or an array of them. The module comes from
 * outside this repository, so its shape is checked here instead of trusted: a wrong
 * export fails before any table is touched, naming the module and the fix.
 * `origin` names the module in messages (the path or package given).
 */
export function strategiesFromModule(exports: unknown, origin: string): Result<CdcStrategy[], SluiceError> {
  if (typeof exports !== "object" || exports === null) {
    return err(configError(`strategy module ${origin} exported nothing usable; ${expected}`));
  }
  const record = exports as Record<string, unknown>;
  const candidates = [record.default, record.strategy, record.strategies]
    .filter((value) => value !== undefined)
    .flatMap((value) => (Array.isArray(value) ? value : [value]));
  if (candidates.length === 0) {
    return err(
      configError(
        `strategy module ${origin} has no default, \`strategy\` or \`strategies\` export (it exports: ${Object.keys(record).join(", ") || "nothing"}); ${expected}`,
      ),
    );
  }
  const found = new Map<string, CdcStrategy>();
  for (const candidate of candidates) {
    const checked = checkStrategy(candidate, origin);
    if (checked.isErr()) return err(checked.error);
    found.set(checked.value.name, checked.value);
  }
  return ok([...found.values()]);
}

const expected =
  "export an object { name, needsCeiling, plan(input) } (see docs/custom-strategy.md), as `export default` or `export const strategy`";

function checkStrategy(candidate: unknown, origin: string): Result<CdcStrategy, SluiceError> {
  if (typeof candidate !== "object" || candidate === null) {
    return err(
      configError(
        `strategy module ${origin} exports ${typeof candidate} where a strategy object belongs; ${expected}`,
      ),
    );
  }
  const value = candidate as Partial<Record<keyof CdcStrategy, unknown>>;
  const label =
    typeof value.name === "string" ? `strategy "${value.name}" in ${origin}` : `a strategy in ${origin}`;
  if (typeof value.name !== "string" || !namePattern.test(value.name)) {
    return err(
      configError(
        `${label}: name must be lower-case letters, digits and dashes (got ${JSON.stringify(value.name)})`,
      ),
    );
  }
  if (typeof value.plan !== "function") {
    return err(configError(`${label} has no plan(input) function; ${expected}`));
  }
  if (typeof value.needsCeiling !== "boolean") {
    return err(
      configError(`${label}: needsCeiling must be true or false (true when the plan has a clock cursor)`),
    );
  }
  if (value.needsKeyCeiling !== undefined && typeof value.needsKeyCeiling !== "boolean") {
    return err(configError(`${label}: needsKeyCeiling must be true, false or absent`));
  }
  if (value.advance !== undefined && typeof value.advance !== "function") {
    return err(configError(`${label}: advance must be a function or absent`));
  }
  return ok(candidate as CdcStrategy);
}
