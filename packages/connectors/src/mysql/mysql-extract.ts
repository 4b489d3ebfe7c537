import type {
  AnyRowBatch,
  CursorPosition,
  ExtractObserver,
  ExtractPlan,
  Logger,
  SluiceError,
  SourceValue,
  TableSpec,
} from "@sluice/core";
import {
  batchLastRow,
  batchRowCount,
  batchRows,
  findColumn,
  formatTableRef,
  sluiceError,
} from "@sluice/core";
import { extractCursorGroups, type RunStatement } from "./cursor-group-pages.js";
import {
  boundOfPosition,
  canonicalValueText,
  columnIndex,
  type KeysetBound,
  keysetPageQuery,
  nullCursorCountQuery,
  nullCursorPageQuery,
  type SqlStatement,
  snapshotEndQuery,
  snapshotPageQuery,
  wholeTableQuery,
} from "./keyset-query.js";
import { type PageGate, pageGate } from "./page-gate.js";
import { type ExtractResume, recoverWith, resumablePage } from "./resumable-statement.js";
import { type StreamingConnection, streamRowBatches } from "./row-stream.js";

export interface ExtractSettings {
  readonly batchRows: number;
  /** Approximate value bytes per batch (see approximateRowBytes); absent: rows only. */
  readonly batchBytes?: number | undefined;
  readonly logger: Logger | undefined;
  readonly observer?: ExtractObserver | undefined;
  readonly mapError: (thrown: unknown) => SluiceError;
  /**
   * Resumes keyset and snapshot pages after a dropped connection (see
   * resumable-statement.ts). A plan read in one consistent snapshot is never resumed:
   * a new connection would read another point in time.
   */
  readonly resume?: ExtractResume | undefined;
  /**
   * Asked between pages of the ordered pass (after a whole page, and its completed tie
   * group for `cursor-groups`), never before the first: true ends the pass there as
   * `plan.maxChunks` would. The run's time budget (`--max-duration`) is one.
   */
  readonly stopAtPageBoundary?: (() => boolean) | undefined;
  /** Rows may stay packed (PackedRowBatch) where the result allows it (see streamRowBatches). */
  readonly packed?: boolean | undefined;
}

export interface MetadataConnection {
  query(
    options: { sql: string; values: unknown[] },
    callback: (error: unknown, rows: unknown) => void,
  ): unknown;
}

export type ExtractConnection = StreamingConnection & MetadataConnection;

/**
 * Runs the plan: an optional consistent snapshot around everything, the NULL-cursor
 * pass or count its policy asks for, then the ordered pass (keyset pages, tie-group
 * pages, or one scan for a table without key and cursor). Throws SluiceErrors.
 * `current` answers the connection in use: after a resumed failure it is a new one.
 */
export async function* extractPlanRows(
  current: () => ExtractConnection,
  spec: TableSpec,
  plan: ExtractPlan,
  settings: ExtractSettings,
): AsyncGenerator<AnyRowBatch> {
  const run = (statement: SqlStatement) => streamStatement(current(), statement, settings);
  const recover = recoverWith(plan.consistentSnapshot ? undefined : settings.resume, settings.mapError);
  const connection = current();
  let snapshot = false;
  try {
    if (plan.consistentSnapshot) {
      // One point in time for every page; READ ONLY so it never holds back the
      // open-transaction ceiling of other runs (see mysql-ceiling.ts).
      await metadataQuery(connection, { sql: "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", values: [] });
      await metadataQuery(connection, {
        sql: "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
        values: [],
      });
      snapshot = true;
    }
    yield* nullCursorPass(connection, spec, plan, settings);
    const exhausted = () => settings.observer?.exhausted?.();
    const mayPage = pageGate(plan, settings.stopAtPageBoundary);
    if (plan.snapshot) {
      const done = yield* extractSnapshotPages(spec, plan, run, recover, mayPage);
      if (done) {
        settings.observer?.snapshotEnd?.(await snapshotEnd(spec, plan, run));
        exhausted();
      }
    } else if (plan.cursorColumn === null && plan.keyColumns.length === 0) {
      yield* run(wholeTableQuery(spec));
      exhausted();
    } else if (plan.paging === "cursor-groups") {
      yield* extractCursorGroups(spec, plan, run, exhausted, mayPage);
    } else {
      yield* extractKeysetPages(spec, plan, run, exhausted, recover, mayPage);
    }
  } catch (thrown) {
    throw settings.mapError(thrown);
  } finally {
    if (snapshot) await metadataQuery(current(), { sql: "COMMIT", values: [] }).catch(() => {});
  }
}

/** One statement's rows in batches, announced to the observer first. */
function streamStatement(
  connection: StreamingConnection,
  statement: SqlStatement,
  settings: ExtractSettings,
): AsyncGenerator<AnyRowBatch> {
  settings.observer?.query?.(statement);
  return streamRowBatches(
    connection,
    statement.sql,
    statement.values,
    Math.max(1, Math.trunc(settings.batchRows)),
    settings.batchBytes !== undefined && settings.batchBytes > 0
      ? settings.batchBytes
      : Number.POSITIVE_INFINITY,
    settings.packed === true,
  );
}

/**
 * Keyset pages: each page starts strictly after the last row of the previous one, so
 * duplicates of the cursor value across a page boundary are neither lost nor
 * repeated; a short page ends the run, and so does a page ending on the key ceiling.
 * The last page's LIMIT is cut to what remains of `plan.limit`, and pages run while
 * `mayPage` allows (`plan.maxChunks`, the time budget), so the run stops exactly on a row.
 */
async function* extractKeysetPages(
  spec: TableSpec,
  plan: ExtractPlan,
  run: RunStatement,
  exhausted: () => void,
  recover: (thrown: unknown, retriesSoFar: number) => Promise<void>,
  mayPage: PageGate,
): AsyncGenerator<AnyRowBatch> {
  const cursorIndex = plan.cursorColumn === null ? -1 : columnIndex(spec, plan.cursorColumn);
  const keyIndexes = plan.keyColumns.map((name) => columnIndex(spec, name));
  const keyCeiling = plan.cursorColumn === null && plan.keyCeiling ? plan.keyCeiling.join("\u0000") : null;
  let bound: KeysetBound | null = boundOfPosition(plan);
  let taken = 0;
  const boundOfRow = (row: readonly SourceValue[]): KeysetBound => ({
    cursor: cursorIndex < 0 ? undefined : (row[cursorIndex] ?? null),
    keys: keyIndexes.map((index) => row[index] ?? null),
  });
  const page = (after: KeysetBound | null, limit: number) => keysetPageQuery(spec, plan, after, limit);
  for (let chunk = 0; mayPage(chunk); chunk += 1) {
    const pageLimit = plan.limit === null ? plan.pageSize : Math.min(plan.pageSize, plan.limit - taken);
    if (pageLimit <= 0) return;
    let pageRows = 0;
    let lastRow: readonly SourceValue[] | undefined;
    for await (const batch of resumablePage<KeysetBound | null>(
      bound,
      pageLimit,
      page,
      boundOfRow,
      run,
      recover,
    )) {
      pageRows += batchRowCount(batch);
      lastRow = batchLastRow(batch);
      yield batch;
    }
    taken += pageRows;
    if (pageRows < pageLimit || !lastRow) {
      exhausted();
      return;
    }
    const next = boundOfRow(lastRow);
    // A full page that ends where it started means the ORDER BY does not follow the
    // comparison (e.g. a FLOAT key): stop rather than loop forever.
    if (bound && sameBound(bound, next)) {
      throw sluiceError(
        "internal",
        `${formatTableRef(spec.ref)}: keyset page did not advance past (${describeBound(next)}); the key (${plan.keyColumns.join(", ")}) cannot be paged exactly`,
      );
    }
    // The page ended on the largest key of the plan: nothing is left, skip the empty query.
    if (keyCeiling !== null && next.keys.map(canonicalValueText).join("\u0000") === keyCeiling) {
      exhausted();
      return;
    }
    bound = next;
  }
}

/**
 * An initial snapshot's pages: the rows below the ceiling in primary-key order, each
 * page strictly after the last key of the previous one (or of the previous run), cut
 * exactly at `plan.limit` and where `mayPage` stops, like keyset pages. Returns true when no
 * row below the ceiling is left after the last key (a short page, or an empty probe).
 */
async function* extractSnapshotPages(
  spec: TableSpec,
  plan: ExtractPlan,
  run: RunStatement,
  recover: (thrown: unknown, retriesSoFar: number) => Promise<void>,
  mayPage: PageGate,
): AsyncGenerator<AnyRowBatch, boolean> {
  const keyIndexes = (plan.snapshot?.keyColumns ?? []).map((name) => columnIndex(spec, name));
  let after: readonly SourceValue[] | null = plan.snapshot?.afterKey ?? null;
  let taken = 0;
  for (let chunk = 0; mayPage(chunk); chunk += 1) {
    const pageLimit = plan.limit === null ? plan.pageSize : Math.min(plan.pageSize, plan.limit - taken);
    if (pageLimit <= 0) break;
    let pageRows = 0;
    let lastRow: readonly SourceValue[] | undefined;
    const keysOf = (row: readonly SourceValue[]) => keyIndexes.map((index) => row[index] ?? null);
    const page = (from: readonly SourceValue[] | null, limit: number) =>
      snapshotPageQuery(spec, plan, from, limit);
    for await (const batch of resumablePage(after, pageLimit, page, keysOf, run, recover)) {
      pageRows += batchRowCount(batch);
      lastRow = batchLastRow(batch);
      yield batch;
    }
    taken += pageRows;
    if (pageRows < pageLimit || !lastRow) return true;
    const row = lastRow;
    after = keyIndexes.map((index) => row[index] ?? null);
  }
  // Cut by --limit, --max-chunks or the time budget: one key probe says whether anything is left, so a
  // snapshot that ended exactly on the limit completes now rather than in an empty run.
  let left = false;
  for await (const batch of run(snapshotPageQuery(spec, plan, after, "probe"))) {
    if (batchRowCount(batch) > 0) left = true;
  }
  return !left;
}

/** The largest (cursor, key) row below the snapshot's ceiling, as canonical text. */
async function snapshotEnd(
  spec: TableSpec,
  plan: ExtractPlan,
  run: RunStatement,
): Promise<CursorPosition | null> {
  let found: readonly SourceValue[] | undefined;
  for await (const batch of run(snapshotEndQuery(spec, plan))) found ??= batchRows(batch)[0];
  if (!found) return null;
  const [cursor, ...keys] = found;
  return {
    cursorValue: canonicalValueText(cursor),
    keyValues: keys.map((value) => canonicalValueText(value) ?? ""),
  };
}

/**
 * NULL cursors, by policy: `oldest` reads every one of them first, in key order (they
 * have no value to be "after" a watermark, so every run takes them); `skip` counts the
 * ones it leaves out; a plan without a policy keeps the legacy warning.
 */
async function* nullCursorPass(
  connection: ExtractConnection,
  spec: TableSpec,
  plan: ExtractPlan,
  settings: ExtractSettings,
): AsyncGenerator<AnyRowBatch> {
  if (plan.cursorColumn === null) return;
  const cursor = findColumn(spec, plan.cursorColumn);
  if (!cursor?.nullable) {
    if (plan.nullCursor !== undefined) settings.observer?.nullCursorRows?.(0);
    return;
  }
  const table = formatTableRef(spec.ref);
  const keyColumns = plan.keyColumns.length > 0 ? plan.keyColumns : (plan.dedupColumns ?? []);
  if (plan.nullCursor === "oldest" && keyColumns.length > 0) {
    const keyIndexes = keyColumns.map((name) => columnIndex(spec, name));
    let after: SourceValue[] | null = null;
    let rows = 0;
    for (;;) {
      let pageRows = 0;
      let lastRow: readonly SourceValue[] | undefined;
      const page = nullCursorPageQuery(spec, plan, keyColumns, after, plan.pageSize);
      for await (const batch of streamStatement(connection, page, settings)) {
        pageRows += batchRowCount(batch);
        lastRow = batchLastRow(batch);
        yield batch;
      }
      rows += pageRows;
      if (pageRows < plan.pageSize || !lastRow) break;
      const row = lastRow;
      after = keyIndexes.map((index) => row[index] ?? null);
    }
    settings.observer?.nullCursorRows?.(rows);
    return;
  }
  if (plan.nullCursor === undefined && plan.after?.cursorValue == null) return;
  const indexed = spec.indexes.some((index) => index.columns[0] === cursor.name);
  if (!indexed) {
    settings.observer?.nullCursorRows?.(null);
    settings.logger?.warn(
      `${table}.${cursor.name} is nullable: rows with a NULL ${cursor.name} are not copied (--null-cursor skip) and cannot be counted without an index on ${cursor.name}; index it, or use --null-cursor oldest`,
      { table, column: cursor.name },
    );
    return;
  }
  const statement = nullCursorCountQuery(spec, cursor.name);
  settings.observer?.query?.(statement);
  const result = await metadataQuery(connection, statement);
  const count = Number((result as { n?: unknown }[])[0]?.n ?? 0);
  settings.observer?.nullCursorRows?.(count);
  if (count > 0) {
    settings.logger?.warn(
      `${table}: ${count} row(s) have NULL ${cursor.name} and are not copied (--null-cursor skip); set ${cursor.name} on them, or run with --null-cursor oldest to copy them on every run`,
      { table, column: cursor.name, rows: count },
    );
  }
}

export function metadataQuery(connection: MetadataConnection, statement: SqlStatement): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    connection.query({ sql: statement.sql, values: statement.values }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

function sameBound(a: KeysetBound, b: KeysetBound): boolean {
  return describeBound(a) === describeBound(b);
}

function describeBound(bound: KeysetBound): string {
  const text = (value: SourceValue | undefined): string =>
    value === undefined ? "" : (canonicalValueText(value) ?? "NULL");
  return [text(bound.cursor), ...bound.keys.map(text)].join(", ");
}
