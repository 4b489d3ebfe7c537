import type { LedgerRun, ObjectStore, SluiceError, StagedFile, TableRef } from "@sluice/core";
import { formatTableRef, toSluiceError } from "@sluice/core";
import { ResultAsync } from "neverthrow";
import { manifestPrefix } from "./lake-layout.js";
import { step } from "./result-steps.js";
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
  const work = async (): Promise<StagedRun[]> => {
    const keys = (await step(lake.list(manifestPrefix(table))))
      .map((object) => object.key)
      .filter((key) => key.endsWith(".json"))
      .sort();
    const runs: StagedRun[] = [];
    for (const key of keys) {
      const body = await step(lake.get(key));
      if (!body) continue;
      const parsed = parseRunManifest(key, new TextDecoder().decode(body));
      if (parsed.isErr()) throw parsed.error;
      const manifest = parsed.value;
      runs.push({
        runId: manifest.runId,
        manifestKey: key,
        createdAt: manifest.createdAt,
        rows: manifest.rows,
        files: manifest.files,
        loaded: ledger === undefined ? undefined : (ledger.get(manifest.runId) ?? null),
      });
    }
    return runs;
  };
  return ResultAsync.fromPromise(work(), (thrown) =>
    toSluiceError(thrown, "stage", `listing staged runs of ${formatTableRef(table)}`),
  );
}
