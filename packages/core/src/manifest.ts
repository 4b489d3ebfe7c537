import type { WriteMode } from "./extract-plan.js";
import type { ColumnSpec } from "./table-spec.js";

/** One Parquet part in the lake. `key` is relative to the lake's prefix. */
export interface StagedFile {
  readonly key: string;
  /** Absolute URI as a warehouse reads it: `s3://bucket/prefix/key` or `file:///dir/key`. */
  readonly uri: string;
  readonly sizeBytes: number;
  readonly rows: number;
}

/**
 * The record of one extraction run for one table, written next to its parts after
 * they are durable. The loader works from these alone, so `--redshift-only` needs no
 * source connection.
 */
export interface RunManifest {
  readonly version: 1;
  /** `schema.table` */
  readonly table: string;
  readonly runId: string;
  readonly createdAt: string;
  readonly strategy: string;
  /** Columns in the order of the Parquet files (= warehouse column order). */
  readonly columns: readonly ColumnSpec[];
  readonly primaryKey: readonly string[];
  readonly cursorColumn: string | null;
  /**
   * How the loader applies this run: `merge` (upsert by key; also what an absent value
   * means, for manifests written before it existed), `append`, or `replace` (a full
   * snapshot: the target's rows are swapped for these in one transaction).
   */
  readonly writeMode?: WriteMode;
  readonly files: readonly StagedFile[];
  readonly rows: number;
  /**
   * Facts measured over every value staged in this run, by column name. Optional:
   * manifests written before it existed lack it, and the loader must then treat
   * widths as unknown. The pre-flight check compares these with the target table
   * (a VARCHAR too narrow for the longest value staged stops the load early).
   */
  readonly columnStats?: Readonly<Record<string, ColumnStats>>;
  /**
   * Where extraction stood when this run planned: the watermark's revision and its
   * `extract` state (opaque here: the watermark store's format). `sluice runs drop`
   * puts it back to withdraw this run and re-extract its rows. Absent in manifests
   * written before it existed (those runs cannot be rewound automatically).
   */
  readonly startedFrom?: RunStartPoint;
}

/** The extraction state a run started from (see {@link RunManifest.startedFrom}). */
export interface RunStartPoint {
  readonly watermarkRevision: number | null;
  readonly extract: Readonly<Record<string, unknown>> | null;
}

export interface ColumnStats {
  /** NULLs staged (including zero dates turned into NULL). */
  readonly nulls: number;
  /** Longest value in bytes as staged (UTF-8 for text, raw for binary/JSON); null for fixed-width types. */
  readonly maxBytes: number | null;
}
