export type { CdcStrategy, PlanInput } from "./cdc-strategy.js";
export { defaultPageSize } from "./cdc-strategy.js";
export { compareDecimalText, comparePositions } from "./compare-positions.js";
export { cursorableKinds, cursorColumnNames, detectCursorColumn } from "./detect-cursor-column.js";
export { hybridKeysetStrategy } from "./hybrid-keyset-strategy.js";
export { idKeysetStrategy } from "./id-keyset-strategy.js";
export { canonicalText, positionOfRow } from "./position-of-row.js";
export type { StrategyRegistry } from "./strategy-registry.js";
export { createStrategyRegistry, defaultStrategyName } from "./strategy-registry.js";
