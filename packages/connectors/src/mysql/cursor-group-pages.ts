import type { AnyRowBatch, ExtractPlan, RowBatch, SourceValue, TableSpec } from "@sluice/core";
import { batchRows } from "@sluice/core";
import {
  canonicalValueText,
  columnIndex,
  cursorGroupQuery,
  type KeysetBound,
  keysetPageQuery,
  type SqlStatement,
} from "./keyset-query.js";
import type { PageGate } from "./page-gate.js";

/** Issues one statement and streams its rows (and tells the observer). */
export type RunStatement = (statement: SqlStatement) => AsyncGenerator<AnyRowBatch>;

/**
 * `cursor-groups` paging (the timestamp strategy): pages `c > last ORDER BY c LIMIT n`.
 * A full page may end inside a group of equal cursor values whose other rows the
 * LIMIT cut off; that group is then read whole (`c = last`) and the rows whose key was
 * already in the page are skipped, so each row of the group is taken exactly once and
 * the next page can start strictly after it. The set of keys held is only the page's
 * last group. `plan.limit` and `mayPage` (`plan.maxChunks`, the time budget) stop the
 * run after a completed group, so a run may exceed `limit` by the rest of its last group.
 */
export async function* extractCursorGroups(
  spec: TableSpec,
  plan: ExtractPlan,
  run: RunStatement,
  exhausted: () => void,
  mayPage: PageGate,
): AsyncGenerator<AnyRowBatch> {
  const cursorIndex = columnIndex(spec, plan.cursorColumn as string);
  const keyIndexes = (plan.dedupColumns ?? []).map((name) => columnIndex(spec, name));
  const keyText = (row: readonly SourceValue[]) =>
    keyIndexes.map((index) => canonicalValueText(row[index])).join("\u0000");
  let lower: SourceValue | null = plan.after?.cursorValue ?? null;
  let taken = 0;
  for (let chunk = 0; mayPage(chunk); chunk += 1) {
    const pageLimit = plan.limit === null ? plan.pageSize : Math.min(plan.pageSize, plan.limit - taken);
    if (pageLimit <= 0) return;
    const bound: KeysetBound | null = lower === null ? null : { cursor: lower, keys: [] };
    let pageRows = 0;
    let groupValue: string | null = null;
    let groupRaw: SourceValue = null;
    let groupKeys = new Set<string>();
    for await (const packedOrNot of run(keysetPageQuery(spec, plan, bound, pageLimit))) {
      // Every row's key is remembered for the tie group: decoded here, and handed on decoded.
      const batch: RowBatch = { rows: batchRows(packedOrNot) };
      for (const row of batch.rows) {
        const value = canonicalValueText(row[cursorIndex]);
        if (value !== groupValue) {
          groupValue = value;
          groupRaw = row[cursorIndex] ?? null;
          groupKeys = new Set();
        }
        groupKeys.add(keyText(row));
      }
      pageRows += batch.rows.length;
      yield batch;
    }
    taken += pageRows;
    if (pageRows < pageLimit || groupValue === null) {
      exhausted();
      return;
    }
    // The page was full: complete its last group, skipping the keys already taken.
    for await (const batch of run(cursorGroupQuery(spec, plan, groupRaw))) {
      const rest = batchRows(batch).filter((row) => !groupKeys.has(keyText(row)));
      taken += rest.length;
      if (rest.length > 0) yield { rows: rest };
    }
    lower = groupRaw;
  }
}
