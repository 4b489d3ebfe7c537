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

/** Copies of the document kept by `sluice watermark reset` before it clears the state. */
export function watermarkBackupKey(ref: TableRef, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace(".", "");
  return `${statePrefix}${formatTableRef(ref)}/backups/${stamp}.json`;
}
