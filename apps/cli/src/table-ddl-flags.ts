import { configError, type SluiceError } from "@sluice/core";
import type { TableDdlOptions } from "@sluice/redshift-loader";
import { err, ok, type Result } from "neverthrow";

/** The per-table DDL flags of `sluice sync`, as commander hands them over. */
export interface TableDdlFlags {
  readonly distStyle?: string;
  readonly distKey?: string;
  readonly sortKey?: string;
  readonly sortStyle?: string;
  readonly encode?: string;
}

const distStyles = ["auto", "even", "key", "all"] as const;
const sortStyles = ["compound", "interleaved"] as const;

/**
 * `--dist-style auto|even|key|all`, `--dist-key col`, `--sort-key col1,col2|auto`,
 * `--sort-style compound|interleaved`, `--encode col=zstd,col2=az64` into typed options.
 * Shapes are checked here; whether the columns exist is checked by the loader once it
 * knows the run's columns (and their warehouse names).
 */
export function parseTableDdlFlags(flags: TableDdlFlags): Result<TableDdlOptions, SluiceError> {
  const options: {
    distStyle?: (typeof distStyles)[number];
    distKey?: string;
    sortKey?: readonly string[] | "auto";
    sortStyle?: (typeof sortStyles)[number];
    columnEncodings?: Record<string, string>;
  } = {};
  if (flags.distStyle !== undefined) {
    const style = distStyles.find((known) => known === flags.distStyle?.toLowerCase());
    if (!style)
      return err(
        configError(`--dist-style must be one of ${distStyles.join(", ")}, got "${flags.distStyle}"`),
      );
    options.distStyle = style;
  }
  if (flags.distKey !== undefined) options.distKey = flags.distKey;
  if (flags.sortKey !== undefined) {
    const columns = flags.sortKey.split(",").map((name) => name.trim());
    if (columns.some((name) => name === "")) {
      return err(
        configError(`--sort-key takes column names separated by commas, or auto; got "${flags.sortKey}"`),
      );
    }
    options.sortKey = columns.length === 1 && columns[0]?.toLowerCase() === "auto" ? "auto" : columns;
  }
  if (flags.sortStyle !== undefined) {
    const style = sortStyles.find((known) => known === flags.sortStyle?.toLowerCase());
    if (!style)
      return err(configError(`--sort-style must be compound or interleaved, got "${flags.sortStyle}"`));
    options.sortStyle = style;
  }
  if (flags.encode !== undefined) {
    const encodings: Record<string, string> = {};
    for (const pair of flags.encode.split(",")) {
      const match = /^\s*([^=\s]+)\s*=\s*([A-Za-z0-9]+)\s*$/.exec(pair);
      if (!match) {
        return err(
          configError(
            `--encode takes column=encoding pairs separated by commas (e.g. note=zstd,id=az64); got "${pair}"`,
          ),
        );
      }
      encodings[match[1] as string] = match[2] as string;
    }
    options.columnEncodings = encodings;
  }
  return ok(options);
}
