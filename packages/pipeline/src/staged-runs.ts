import type { LedgerRun, ObjectStore, SluiceError, StagedFile, TableRef } from "@sluice/core";
import { formatTableRef } from "@sluice/core";
import { ok, type ResultAsync } from "neverthrow";
import { manifestPrefix } from "./lake-layout.js";
import { runSteps } from "./result-steps.js";
import { parseRunManifest } from "./run-manifest-schema.js";

/** One run staged in the lake, as its manifest lists it, and whether the ledger holds it. */
export interface StagedRun {
  readonly runId: string;
  readonly manifestKey: string;
  readonly createdAt: string;
  readonly rows: number;
  readonly files: readonly StagedFile[];
  /** From the warehouse ledger; null when no target was asked. */
  readonly loaded: LedgerRun | null | undefined;
}

/**
 * Every run manifest of the table, oldest first, with the ledger's view of each when
 * `ledger` is given (`undefined` = not asked, `null` = not loaded).
 */
export function listStagedRuns(
  lake: ObjectStore,
  table: TableRef,
  ledger?: ReadonlyMap<string, LedgerRun>,
): ResultAsync<StagedRun[], SluiceError> {
  return runSteps(`listing staged runs of ${formatTableRef(table)}`, async function* () {
    const keys = (yield* lake.list(manifestPrefix(table)))
      .map((object) => object.key)
      .filter((key) => key.endsWith(".json"))
      .sort();
    const runs: StagedRun[] = [];
    for (const key of keys) {
      const body = yield* lake.get(key);
      if (!body) continue;
      const manifest = yield* parseRunManifest(key, new TextDecoder().decode(body));
      runs.push({
        runId: manifest.runId,
        manifestKey: key,
        createdAt: manifest.createdAt,
        rows: manifest.rows,
        files: manifest.files,
        loaded: ledger === undefined ? undefined : (ledger.get(manifest.runId) ?? null),
      });
    }
    return ok(runs);
  });
}
