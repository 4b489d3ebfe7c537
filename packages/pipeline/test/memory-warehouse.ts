import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  LedgerRun,
  LoadReport,
  ObjectStore,
  RunManifest,
  SluiceError,
  Warehouse,
  WarehouseTable,
  WarehouseTableRequest,
} from "@sluice/core";
import { sluiceError } from "@sluice/core";
import type { FaultPoint } from "@sluice/core/internal";
import { readParquetRowsAsText } from "@sluice/parquet-writer";
import { err, errAsync, ok, okAsync, ResultAsync } from "neverthrow";

type TextRow = readonly (string | null)[];

/** One target table: its rows by key (merge) or in arrival order (append), and its ledger. */
interface MemoryTarget {
  readonly rows: Map<string, TextRow>;
  readonly ledger: Map<string, LedgerRun>;
}

/**
 * An in-memory `Warehouse` for pipeline tests that need no database: a load reads the
 * run's Parquet parts from the lake and applies them by the manifest's write mode;
 * rows and ledger entry change together (one "transaction": everything is read first),
 * and a run the ledger holds is skipped, as the contract requires. Fault hooks run at
 * `copy-started` and `before-commit` like the real loader's.
 *
 * Literal and small on purpose; the Redshift/PostgreSQL implementation keeps its own
 * suites against PostgreSQL and the Redshift-emulating gateway.
 */
export interface MemoryWarehouse extends Warehouse {
  /** The target's rows as canonical text, by source table (`schema.table`). */
  rowsOf(table: string): TextRow[];
  /** Loads committed so far, in order. */
  readonly loads: readonly string[];
}

export function createMemoryWarehouse(lake: ObjectStore): MemoryWarehouse {
  const targets = new Map<string, MemoryTarget>();
  const loads: string[] = [];
  const targetOf = (table: string): MemoryTarget => {
    let target = targets.get(table);
    if (!target) {
      target = { rows: new Map(), ledger: new Map() };
      targets.set(table, target);
    }
    return target;
  };

  const openTable = (request: WarehouseTableRequest): ResultAsync<WarehouseTable, SluiceError> => {
    const session: WarehouseTable = {
      loadedRunIds: (table) => okAsync(new Set(targetOf(table).ledger.keys())),
      loadedRuns: (table) => okAsync(new Map(targetOf(table).ledger)),
      countRows: (table) => okAsync(targetOf(table).rows.size),
      targetOf: (table) => okAsync(`memory.${table}`),
      checksumRanges: () =>
        errAsync(sluiceError("config", "the in-memory warehouse does not checksum ranges")),
      loadRun: (manifest) =>
        ResultAsync.fromPromise(loadRun(manifest), (thrown) =>
          typeof thrown === "object" && thrown !== null && "kind" in thrown
            ? (thrown as SluiceError)
            : sluiceError("load", `loading ${manifest.table} run ${manifest.runId}: ${String(thrown)}`),
        ),
      close: async () => {},
    };
    const loadRun = async (manifest: RunManifest): Promise<LoadReport> => {
      const started = performance.now();
      const target = targetOf(manifest.table);
      const report = (skipped: boolean, rowsStaged: number, rowsDeleted: number): LoadReport => ({
        table: manifest.table,
        target: `memory.${manifest.table}`,
        runId: manifest.runId,
        skipped,
        filesLoaded: skipped ? 0 : manifest.files.length,
        rowsStaged,
        rowsInserted: rowsStaged,
        rowsDeleted,
        durationMs: Math.round(performance.now() - started),
      });
      if (target.ledger.has(manifest.runId)) return report(true, 0, 0);
      await fault("copy-started");
      const staged = await readRun(lake, manifest);
      await fault("before-commit");
      const keyAt = manifest.primaryKey.map((name) =>
        manifest.columns.findIndex((column) => column.name === name),
      );
      let deleted = 0;
      if (manifest.writeMode === "replace") {
        deleted = target.rows.size;
        target.rows.clear();
      }
      staged.forEach((row, index) => {
        const key =
          manifest.writeMode === "append" || keyAt.length === 0
            ? `${manifest.runId}#${index}`
            : keyAt.map((at) => row[at]).join("\u001f");
        if (target.rows.has(key)) deleted += 1;
        target.rows.set(key, row);
      });
      target.ledger.set(manifest.runId, {
        rows: staged.length,
        files: manifest.files.length,
        loadedAt: new Date().toISOString(),
      });
      loads.push(manifest.runId);
      return report(false, staged.length, deleted);
    };
    const fault = async (point: FaultPoint) => {
      await request.faultHook?.(point);
    };
    return okAsync(session);
  };

  return {
    displayName: "memory://",
    maxTextBytes: null,
    checkTable: (request) =>
      request.targetName !== undefined && !/^[a-z_][a-z0-9_$]*$/.test(request.targetName)
        ? err(
            sluiceError(
              "config",
              `${request.table}: target name "${request.targetName}" is not an identifier`,
            ),
          )
        : ok(undefined),
    openTable,
    openKeyReconciler: () =>
      errAsync(sluiceError("config", "the in-memory warehouse does not reconcile deletes")),
    close: async () => {},
    rowsOf: (table) => [...targetOf(table).rows.values()],
    get loads() {
      return loads;
    },
  };
}

/** Every row of a run's parts, read before anything changes. */
async function readRun(lake: ObjectStore, manifest: RunManifest): Promise<TextRow[]> {
  const work = await mkdtemp(join(tmpdir(), "sluice-memory-load-"));
  try {
    const rows: TextRow[] = [];
    for (const file of manifest.files) {
      const path = join(work, "part.parquet");
      const fetched = await lake.getToFile(file.key, path);
      if (fetched.isErr()) throw fetched.error;
      for await (const row of readParquetRowsAsText(path, manifest.columns)) rows.push(row);
    }
    return rows;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
