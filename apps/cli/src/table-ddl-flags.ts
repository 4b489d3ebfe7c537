import type { TableDdlOptions } from "@sluice/redshift-loader";
import type { SyncFlags } from "./sync-flags.js";

/**
 * `--dist-style`, `--dist-key`, `--sort-key`, `--sort-style` and `--encode` (or their
 * pipeline-file twins), already parsed (sync-flags.ts), as the loader's DDL options.
 * Whether the columns exist is checked by the loader once it knows the run's columns
 * (and their warehouse names).
 */
export function tableDdlOptions(
  flags: Pick<SyncFlags, "distStyle" | "distKey" | "sortKey" | "sortStyle" | "encode">,
): TableDdlOptions {
  return {
    ...(flags.distStyle !== undefined ? { distStyle: flags.distStyle } : {}),
    ...(flags.distKey !== undefined ? { distKey: flags.distKey } : {}),
    ...(flags.sortKey !== undefined ? { sortKey: flags.sortKey } : {}),
    ...(flags.sortStyle !== undefined ? { sortStyle: flags.sortStyle } : {}),
    ...(flags.encode !== undefined ? { columnEncodings: flags.encode } : {}),
  };
}
