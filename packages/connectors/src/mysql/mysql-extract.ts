import type { ExtractPlan, Logger, RowBatch, SluiceError, SourceValue, TableSpec } from "@sluice/core";
import { findColumn, formatTableRef, sluiceError } from "@sluice/core";
import {
  boundOfPosition,
  type KeysetBound,
  keysetPageQuery,
  qualifiedName,
  quoteIdentifier,
} from "./keyset-query.js";
import { type StreamingConnection, streamRowBatches } from "./row-stream.js";

export interface ExtractSettings {
  readonly batchRows: number;
  readonly logger: Logger | undefined;
  readonly mapError: (thrown: unknown) => SluiceError;
}

/**
 * Runs the plan as keyset pages: each page starts strictly after the last row of the
 * previous one, so duplicates of the cursor value across a page boundary are neither
 * lost nor repeated; a short page ends the run. The last page's LIMIT is cut to what
 * remains of `plan.limit`, so the run stops exactly there.
 */
export async function* extractKeysetPages(
  connection: StreamingConnection & MetadataConnection,
  spec: TableSpec,
  plan: ExtractPlan,
  settings: ExtractSettings,
): AsyncGenerator<RowBatch> {
  const batchRows = Math.max(1, Math.trunc(settings.batchRows));
  const cursorIndex = plan.cursorColumn === null ? -1 : indexOf(spec, plan.cursorColumn);
  const keyIndexes = plan.keyColumns.map((name) => indexOf(spec, name));
  let bound: KeysetBound | null = boundOfPosition(plan);
  let taken = 0;
  try {
    await warnAboutNullCursors(connection, spec, plan, settings.logger);
    for (;;) {
      const pageLimit = plan.limit === null ? plan.pageSize : Math.min(plan.pageSize, plan.limit - taken);
      if (pageLimit <= 0) return;
      const page = keysetPageQuery(spec, plan, bound, pageLimit);
      let pageRows = 0;
      let lastRow: readonly SourceValue[] | undefined;
      for await (const batch of streamRowBatches(connection, page.sql, page.values, batchRows)) {
        pageRows += batch.rows.length;
        lastRow = batch.rows[batch.rows.length - 1];
        yield batch;
      }
      taken += pageRows;
      if (pageRows < pageLimit || !lastRow) return;
      const row = lastRow;
      const next: KeysetBound = {
        cursor: cursorIndex < 0 ? undefined : (row[cursorIndex] ?? null),
        keys: keyIndexes.map((index) => row[index] ?? null),
      };
      // A full page that ends where it started means the ORDER BY does not follow the
      // comparison (e.g. a FLOAT key): stop rather than loop forever.
      if (bound && sameBound(bound, next)) {
        throw sluiceError(
          "internal",
          `${formatTableRef(spec.ref)}: keyset page did not advance past (${describeBound(next)}); the key (${plan.keyColumns.join(", ")}) cannot be paged exactly`,
        );
      }
      bound = next;
    }
  } catch (thrown) {
    throw settings.mapError(thrown);
  }
}

export interface MetadataConnection {
  query(
    options: { sql: string; values: unknown[] },
    callback: (error: unknown, rows: unknown) => void,
  ): unknown;
}

/**
 * After a run has passed the NULL group, rows whose cursor is (or becomes) NULL are
 * invisible to the keyset: say so instead of skipping them silently. Counted only
 * when an index leads with the cursor column, so the check is an index lookup.
 */
async function warnAboutNullCursors(
  connection: MetadataConnection,
  spec: TableSpec,
  plan: ExtractPlan,
  logger: Logger | undefined,
): Promise<void> {
  if (!logger || plan.cursorColumn === null || plan.after?.cursorValue == null) return;
  const cursor = findColumn(spec, plan.cursorColumn);
  if (!cursor?.nullable) return;
  const indexed = spec.indexes.some((index) => index.columns[0] === cursor.name);
  const table = formatTableRef(spec.ref);
  if (!indexed) {
    logger.warn(
      `${table}.${cursor.name} is nullable: rows with a NULL ${cursor.name} are only copied by a first run; index ${cursor.name} to have them counted`,
      { table, column: cursor.name },
    );
    return;
  }
  const rows = await new Promise<unknown>((resolve, reject) => {
    connection.query(
      {
        sql: `SELECT COUNT(*) AS n FROM ${qualifiedName(spec)} WHERE ${quoteIdentifier(cursor.name)} IS NULL`,
        values: [],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  const count = Number((rows as { n?: unknown }[])[0]?.n ?? 0);
  if (count > 0) {
    logger.warn(
      `${table}: ${count} row(s) have NULL ${cursor.name} and are not copied by incremental runs; set ${cursor.name} on them, or reset the watermark (sluice watermark reset -t ${table}) for a full copy`,
      { table, column: cursor.name, rows: count },
    );
  }
}

function indexOf(spec: TableSpec, name: string): number {
  const index = spec.columns.findIndex((column) => column.name === name);
  if (index < 0) {
    throw sluiceError(
      "schema",
      `${formatTableRef(spec.ref)} has no column ${name}, which the extract plan orders by`,
    );
  }
  return index;
}

function sameBound(a: KeysetBound, b: KeysetBound): boolean {
  return describeBound(a) === describeBound(b);
}

function describeBound(bound: KeysetBound): string {
  const text = (value: SourceValue | undefined): string =>
    value === undefined
      ? ""
      : value === null
        ? "NULL"
        : value instanceof Uint8Array
          ? Buffer.from(value).toString("hex")
          : String(value);
  return [text(bound.cursor), ...bound.keys.map(text)].join(", ");
}
