export type { DemoCounts, DemoOptions } from "./run-demo.js";
export { runDemo } from "./run-demo.js";
export { insertSettlements, settlementDdl } from "./settlement-table.js";
