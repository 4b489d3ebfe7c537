import { formatTableRef, type TableRef } from "@sluice/core";

/** Where a table's state lives in the lake, next to (not inside) its data prefix. */
export const statePrefix = "_state/";
export const watermarkFileName = "watermark.json";
export const leaseFileName = "lease.json";

export function watermarkKey(ref: TableRef): string {
  return `${statePrefix}${formatTableRef(ref)}/${watermarkFileName}`;
}

export function leaseKey(ref: TableRef): string {
  return `${statePrefix}${formatTableRef(ref)}/${leaseFileName}`;
}
