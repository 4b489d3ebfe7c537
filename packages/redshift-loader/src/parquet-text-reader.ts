import type { ColumnSpec } from "@sluice/core";
import { readParquetRowsAsText } from "@sluice/parquet-writer";

/**
 * Reads one local Parquet part as rows of canonical text (PostgreSQL input syntax,
 * unescaped; `null` for NULL), columns in `columns` order. The default is
 * parquet-writer's reader; tests may inject another to feed rows directly.
 */
export type ParquetTextReader = (
  path: string,
  columns: readonly ColumnSpec[],
) => AsyncIterable<readonly (string | null)[]>;

export const defaultParquetTextReader: ParquetTextReader = readParquetRowsAsText;
