import type {
  CapturedCeiling,
  CursorPosition,
  ExtractPlan,
  KeyRange,
  RangeChecksum,
  RowBatch,
  SluiceError,
  Source,
  SourceExtractOptions,
  SourceKeyDigests,
  SourceValue,
  TableSpec,
} from "@sluice/core";
import { formatTableRef, sluiceError } from "@sluice/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";

/**
 * An in-memory `Source` for pipeline tests that need no server: one table of rows kept
 * in an array, read by the plan's rules as the `Source` contract states them (keyset
 * order on (cursor, key) or key order for snapshots, strictly after the position, below
 * the ceiling and key ceiling, pages of `pageSize`, `limit`, `maxChunks`, the NULL-cursor
 * policies). Values compare as the canonical text they are: integers numerically,
 * everything else as text (datetime text in one format orders by time).
 *
 * It is deliberately literal and small; the real MySQL source is tested against
 * MariaDB by its own suites, and the pipeline's end-to-end suites keep using it.
 */
export interface MemorySource extends Source {
  /** The rows as the table holds them now; tests insert, update and delete here. */
  readonly rows: SourceValue[][];
  /** The clock the ceiling is read from (the table's "NOW()"), as canonical datetime text. */
  now: string;
  /** Statements a real source would have issued (pages), for assertions on paging. */
  readonly pages: number;
  /** Fails the next `extract` after this many batches, once (a dropped connection). */
  failAfterBatches(batches: number): void;
}

export function createMemorySource(spec: TableSpec, rows: SourceValue[][] = []): MemorySource {
  const state = { pages: 0, failAfter: null as number | null };
  const table = formatTableRef(spec.ref);
  const indexOf = (name: string) => spec.columns.findIndex((column) => column.name === name);
  const numeric = (name: string) => {
    const kind = spec.columns[indexOf(name)]?.logical.kind;
    return kind === "integer" || kind === "decimal" || kind === "year";
  };
  const compareValue = (name: string, a: string, b: string): number => {
    if (numeric(name)) {
      const difference = BigInt(a) - BigInt(b);
      return difference === 0n ? 0 : difference < 0n ? -1 : 1;
    }
    return a === b ? 0 : a < b ? -1 : 1;
  };
  const text = (value: SourceValue): string | null => (value === null ? null : String(value));
  const compareTuple = (names: readonly string[], a: readonly string[], b: readonly string[]): number => {
    for (const [index, name] of names.entries()) {
      const order = compareValue(name, a[index] ?? "", b[index] ?? "");
      if (order !== 0) return order;
    }
    return 0;
  };
  const keyOf = (row: readonly SourceValue[], names: readonly string[]) =>
    names.map((name) => text(row[indexOf(name)] ?? null) ?? "");

  const byKey = (names: readonly string[]) => (a: readonly SourceValue[], b: readonly SourceValue[]) =>
    compareTuple(names, keyOf(a, names), keyOf(b, names));

  /** The rows of the plan's ordered pass, in order, before paging. */
  const orderedPass = (plan: ExtractPlan): SourceValue[][] => {
    const cursor = plan.cursorColumn;
    const cursorAt = cursor === null ? -1 : indexOf(cursor);
    const keys = plan.snapshot?.keyColumns ?? plan.keyColumns;
    const belowCeiling = (row: readonly SourceValue[]) => {
      if (cursor === null || plan.ceiling === null) return true;
      const value = text(row[cursorAt] ?? null);
      return value !== null && compareValue(cursor, value, plan.ceiling) < 0;
    };
    const withinKeyCeiling = (row: readonly SourceValue[]) =>
      !plan.keyCeiling || compareTuple(keys, keyOf(row, keys), plan.keyCeiling) <= 0;
    if (plan.snapshot) {
      const { afterKey, throughKey = null } = plan.snapshot;
      return rows
        .filter((row) => belowCeiling(row) && withinKeyCeiling(row))
        .filter((row) => afterKey === null || compareTuple(keys, keyOf(row, keys), afterKey) > 0)
        .filter((row) => throughKey === null || compareTuple(keys, keyOf(row, keys), throughKey) <= 0)
        .sort((a, b) => compareTuple(keys, keyOf(a, keys), keyOf(b, keys)));
    }
    const order = cursor === null ? [...keys] : [cursor, ...keys];
    const positionOf = (row: readonly SourceValue[]) => keyOf(row, order);
    const after = plan.after
      ? [...(cursor === null ? [] : [plan.after.cursorValue ?? ""]), ...plan.after.keyValues]
      : null;
    return rows
      .filter((row) => cursor === null || row[cursorAt] !== null)
      .filter((row) => belowCeiling(row) && withinKeyCeiling(row))
      .filter((row) => after === null || compareTuple(order, positionOf(row), after) > 0)
      .sort((a, b) => compareTuple(order, positionOf(a), positionOf(b)));
  };

  const nullCursorRows = (plan: ExtractPlan): SourceValue[][] => {
    if (plan.cursorColumn === null) return [];
    const at = indexOf(plan.cursorColumn);
    return rows
      .filter((row) => row[at] === null)
      .sort((a, b) => compareTuple(plan.keyColumns, keyOf(a, plan.keyColumns), keyOf(b, plan.keyColumns)));
  };

  async function* extract(
    _spec: TableSpec,
    plan: ExtractPlan,
    options: SourceExtractOptions = {},
  ): AsyncGenerator<RowBatch> {
    const observer = options.observer;
    const batchRows = options.batchRows ?? 10_000;
    let remaining = plan.limit ?? Number.POSITIVE_INFINITY;
    let batches = 0;
    const emit = function* (page: SourceValue[][]): Generator<RowBatch> {
      for (let start = 0; start < page.length; start += batchRows) {
        if (state.failAfter !== null && batches >= state.failAfter) {
          state.failAfter = null;
          throw sluiceError(
            "connection",
            `${table}: the in-memory source dropped its connection (test fault)`,
            {
              retryable: true,
            },
          );
        }
        batches += 1;
        yield { rows: page.slice(start, start + batchRows).map((row) => [...row]) };
      }
    };
    const nulls = nullCursorRows(plan);
    if (plan.nullCursor === "skip") observer?.nullCursorRows?.(nulls.length);
    if (plan.nullCursor === "oldest" && nulls.length > 0) {
      observer?.nullCursorRows?.(nulls.length);
      state.pages += 1;
      observer?.query?.({ sql: "-- NULL cursor pass", values: [] });
      yield* emit(nulls);
    }
    const pending = orderedPass(plan);
    let taken = 0;
    let chunks = 0;
    for (;;) {
      if (remaining <= 0) return;
      if (plan.maxChunks != null && chunks >= plan.maxChunks) return;
      const size = Math.min(plan.pageSize, remaining);
      const page = pending.slice(taken, taken + size);
      chunks += 1;
      state.pages += 1;
      observer?.query?.({ sql: "-- page", values: [] });
      yield* emit(page);
      taken += page.length;
      remaining -= page.length;
      // A short page (an empty one included) is the end of the plan's rows; a full one
      // may be followed by more, as a real keyset read only learns on the next page.
      if (page.length < size) {
        observer?.exhausted?.();
        if (plan.snapshot) observer?.snapshotEnd?.(snapshotEnd(plan));
        return;
      }
    }
  }

  /** The largest (cursor, key) row below the snapshot's ceiling: where incremental runs start. */
  const snapshotEnd = (plan: ExtractPlan): CursorPosition | null => {
    const { snapshot: _read, ...incremental } = plan;
    const last = orderedPass({ ...incremental, after: null, keyCeiling: null }).at(-1);
    if (!last || plan.cursorColumn === null) return null;
    return {
      cursorValue: text(last[indexOf(plan.cursorColumn)] ?? null),
      keyValues: keyOf(last, plan.keyColumns),
    };
  };

  const unsupported = <T>(what: string): ResultAsync<T, SluiceError> =>
    errAsync(sluiceError("internal", `the in-memory source does not support ${what}`));

  const source: MemorySource = {
    rows,
    now: "2026-01-01 00:00:00.000000",
    get pages() {
      return state.pages;
    },
    failAfterBatches(batches) {
      state.failAfter = batches;
    },
    describeTable: (ref) =>
      ref.schema === spec.ref.schema && ref.table === spec.ref.table
        ? okAsync(spec)
        : errAsync(
            sluiceError("not_found", `table ${formatTableRef(ref)} does not exist in the in-memory source`),
          ),
    captureCeiling(request): ResultAsync<CapturedCeiling, SluiceError> {
      const cut = request.fsp === 0 ? source.now.slice(0, 19) : source.now.slice(0, 20 + request.fsp);
      return okAsync({
        ceiling: cut,
        now: source.now,
        boundBy: "clock",
        safetyLagSeconds: 0,
        oldestOpenTransaction: null,
        openTransactionsChecked: true,
      });
    },
    maxKey(_spec, keyColumns) {
      const last = [...rows].sort(byKey(keyColumns)).at(-1);
      return okAsync(last ? keyOf(last, keyColumns) : null);
    },
    minKey(_spec, keyColumns) {
      const first = [...rows].sort(byKey(keyColumns))[0];
      return okAsync(first ? keyOf(first, keyColumns) : null);
    },
    estimateRows: () => okAsync(rows.length),
    estimatePendingRows: (_spec, plan) => okAsync(orderedPass(plan).length),
    countRows: (_spec, plan) => okAsync(plan ? orderedPass(plan).length : rows.length),
    extract,
    keyBoundaries: () => unsupported<string[][]>("key boundaries (data verification)"),
    checksumRanges: (_spec, _ranges: readonly KeyRange[]) => unsupported<RangeChecksum[]>("range checksums"),
    keyDigests: () => unsupported<SourceKeyDigests>("key digests (delete reconciliation)"),
    close: async () => {},
  };
  return source;
}
