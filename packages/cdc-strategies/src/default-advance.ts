import type { CursorPosition } from "@sluice/core";
import type { AdvanceInput, CdcStrategy } from "./cdc-strategy.js";
import { positionOfRow } from "./position-of-row.js";

/**
 * The watermark lands exactly on the last row of the ordered pass, so `--limit` and
 * `--max-chunks` cut a run at a row and the next run continues strictly after it.
 * A run whose ordered pass took nothing keeps the previous position.
 */
export function defaultAdvance(input: AdvanceInput): CursorPosition | null {
  if (input.lastRow === null) return input.plan.after;
  return positionOfRow(input.plan, input.spec, input.lastRow);
}

/** The strategy's own `advance`, else {@link defaultAdvance}. */
export function advancePosition(strategy: CdcStrategy, input: AdvanceInput): CursorPosition | null {
  return strategy.advance ? strategy.advance(input) : defaultAdvance(input);
}
