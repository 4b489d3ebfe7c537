import type { LedgerRun, ObjectInfo, ObjectStore, SluiceError, TableRef } from "@sluice/core";
import { formatTableRef, parseTableRef } from "@sluice/core";
import type { ResultAsync } from "neverthrow";
import { runStartOf } from "./abandoned-run.js";
import { manifestPrefix } from "./lake-layout.js";

/** The objects of one staged run, as the table's folder holds them. */
export interface RunObjects {
  readonly runId: string;
  /** From the run id; null for a key that does not start with one. */
  readonly startedAt: Date | null;
  /** `_manifests/<run-id>.json`, or null when it is gone (then the run is no longer staged). */
  readonly runManifestKey: string | null;
  /** `_manifests/<run-id>.manifest` (Redshift COPY manifest) and the Parquet parts. */
  readonly otherKeys: readonly string[];
  readonly partNames: readonly string[];
  readonly objects: number;
  readonly bytes: number;
  /** From the warehouse ledger: the load, null when not loaded, undefined when no target was asked. */
  readonly loaded: LedgerRun | null | undefined;
}

/** Storage of one table's folder in the lake (`<schema.table>/`). */
export interface TableUsage {
  readonly table: string;
  readonly objects: number;
  readonly bytes: number;
  /** Runs with a run manifest, oldest first. */
  readonly runs: readonly RunObjects[];
  /** Parts and COPY manifests no run manifest lists (a run that died before its manifest, or an interrupted clean). */
  readonly orphans: readonly RunObjects[];
  /** Objects sluice did not write (never deleted by s3clean). */
  readonly foreignObjects: number;
}

const partName = /^(.+)_batch_\d+\.parquet$/;

/** Groups the objects of `<schema.table>/` by run. `objects` are keys relative to the lake. */
export function tableUsage(
  table: TableRef,
  objects: readonly ObjectInfo[],
  ledger: ReadonlyMap<string, LedgerRun> | undefined,
): TableUsage {
  const name = formatTableRef(table);
  const manifests = manifestPrefix(table);
  const byRun = new Map<
    string,
    { manifest: string | null; other: string[]; parts: string[]; bytes: number }
  >();
  let foreign = 0;
  const entry = (runId: string) => {
    let found = byRun.get(runId);
    if (!found) {
      found = { manifest: null, other: [], parts: [], bytes: 0 };
      byRun.set(runId, found);
    }
    return found;
  };
  for (const object of objects) {
    const base = object.key.split("/").pop() ?? "";
    if (object.key.startsWith(manifests) && base.endsWith(".json")) {
      const run = entry(base.slice(0, -".json".length));
      run.manifest = object.key;
      run.bytes += object.sizeBytes;
    } else if (object.key.startsWith(manifests) && base.endsWith(".manifest")) {
      const run = entry(base.slice(0, -".manifest".length));
      run.other.push(object.key);
      run.bytes += object.sizeBytes;
    } else if (partName.test(base) && !object.key.startsWith(manifests)) {
      const run = entry(partName.exec(base)?.[1] ?? "");
      run.other.push(object.key);
      run.parts.push(base);
      run.bytes += object.sizeBytes;
    } else {
      foreign += 1;
    }
  }
  const runs: RunObjects[] = [];
  const orphans: RunObjects[] = [];
  for (const [runId, found] of [...byRun.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const run: RunObjects = {
      runId,
      startedAt: runStartOf(runId),
      runManifestKey: found.manifest,
      otherKeys: found.other,
      partNames: found.parts,
      objects: found.other.length + (found.manifest ? 1 : 0),
      bytes: found.bytes,
      loaded: ledger === undefined ? undefined : (ledger.get(runId) ?? null),
    };
    (found.manifest ? runs : orphans).push(run);
  }
  return {
    table: name,
    objects: objects.length,
    bytes: objects.reduce((sum, object) => sum + object.sizeBytes, 0),
    runs,
    orphans,
    foreignObjects: foreign,
  };
}

/**
 * The tables a lake holds: its first-level folders named `schema.table`. `_state/`
 * and `_markers/` (and anything else starting with `_`) are never tables.
 */
export function lakeTables(lake: ObjectStore): ResultAsync<TableRef[], SluiceError> {
  return lake.list("").map((objects) => {
    const names = new Set<string>();
    for (const object of objects) {
      const first = object.key.split("/")[0] ?? "";
      if (first.startsWith("_") || !object.key.includes("/")) continue;
      names.add(first);
    }
    return [...names]
      .sort()
      .map((name) => parseTableRef(name))
      .filter((parsed) => parsed.isOk())
      .map((parsed) => parsed.value);
  });
}
