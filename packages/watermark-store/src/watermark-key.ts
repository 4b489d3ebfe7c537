import { formatTableRef, type TableRef } from "@sluice/core";

/** Where a table's state lives in the lake, next to (not inside) its data prefix. */
export const statePrefix = "_state/";
export const watermarkFileName = "watermark.json";

export function watermarkKey(ref: TableRef): string {
  return `${statePrefix}${formatTableRef(ref)}/${watermarkFileName}`;
}
