import type { CdcStrategy, PlanInput } from "@sluice/cdc-strategies";
import type { CursorPosition, ExtractPlan, Logger, SourceValue, TableSpec } from "@sluice/core";
import type { SqlStatement } from "../../src/mysql/keyset-query.js";
import type { MysqlSource } from "../../src/mysql/mysql-source.js";

/**
 * Plans a run the way the pipeline does (draft, captured ceilings, final plan), with
 * the real planners: what these tests extract is what a `sluice sync` would.
 */
export async function planWith(
  source: MysqlSource,
  strategy: CdcStrategy,
  spec: TableSpec,
  extra: Partial<PlanInput> = {},
): Promise<ExtractPlan> {
  const input: PlanInput = { spec, after: null, ceiling: null, limit: null, pageSize: 7, ...extra };
  const draft = strategy.plan(input)._unsafeUnwrap();
  let ceiling = extra.ceiling ?? null;
  // A snapshot in progress keeps its frozen ceiling (the draft carries it), as in the pipeline.
  const frozen = draft.snapshot !== undefined && extra.snapshot != null;
  if (!frozen && ceiling === null && strategy.needsCeiling && draft.cursorColumn !== null) {
    // As the pipeline does: the cursor's own precision and clock.
    const cursor = spec.columns.find((column) => column.name === draft.cursorColumn);
    const fsp = cursor && "fsp" in cursor.logical ? cursor.logical.fsp : 0;
    const clock = cursor?.logical.kind === "timestamp" ? "utc" : "server";
    ceiling = (await source.captureCeiling({ fsp, clock }))._unsafeUnwrap().ceiling;
  }
  let keyCeiling: string[] | null = null;
  if (strategy.needsKeyCeiling && draft.keyColumns.length > 0) {
    keyCeiling = (await source.maxKey(spec, draft.keyColumns))._unsafeUnwrap();
  }
  if (frozen && keyCeiling === null) return draft;
  return strategy.plan({ ...input, ceiling, keyCeiling })._unsafeUnwrap();
}

export interface Extracted {
  readonly rows: SourceValue[][];
  /** The ordered pass read every row within the plan's bounds (not cut by limit or chunks). */
  readonly exhausted: boolean;
  /** A complete initial snapshot's largest row below its ceiling (undefined otherwise). */
  readonly snapshotEnd: CursorPosition | null | undefined;
  readonly statements: SqlStatement[];
  readonly nullCursorRows: number | null | undefined;
  readonly warnings: string[];
}

/** Runs the plan, keeping every row, every statement issued and the NULL-cursor count. */
export async function extractAll(
  source: MysqlSource,
  spec: TableSpec,
  plan: ExtractPlan,
): Promise<Extracted> {
  const rows: SourceValue[][] = [];
  const statements: SqlStatement[] = [];
  const warnings: string[] = [];
  let nullCursorRows: number | null | undefined;
  let exhausted = false;
  let snapshotEnd: CursorPosition | null | undefined;
  const logger: Logger = { debug() {}, info() {}, error() {}, warn: (message) => warnings.push(message) };
  const observer = {
    query: (statement: SqlStatement) => statements.push(statement),
    nullCursorRows: (count: number | null) => {
      nullCursorRows = count;
    },
    exhausted: () => {
      exhausted = true;
    },
    snapshotEnd: (position: CursorPosition | null) => {
      snapshotEnd = position;
    },
  };
  for await (const batch of source.extract(spec, plan, { batchRows: 3, observer, logger })) {
    rows.push(...(batch.rows as SourceValue[][]));
  }
  return { rows, exhausted, snapshotEnd, statements, nullCursorRows, warnings };
}

/** Canonical text of a row value (binary as hex), for comparing with the mariadb client's HEX(). */
export function text(value: SourceValue | undefined): string {
  if (value === null || value === undefined) return "NULL";
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex").toUpperCase();
  return String(value);
}
