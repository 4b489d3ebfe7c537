import type { LedgerRun } from "@sluice/core";
import { configError, type RunManifest, type SluiceError } from "@sluice/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { runStartOf } from "./abandoned-run.js";

/**
 * Which pending runs (oldest first, none in the ledger) a load takes:
 * - with `since` (`--since`), only runs that started at or after it; the earlier
 *   ones stay in the lake unloaded and are named in a note;
 * - never a merge or replace run older than the newest run the warehouse already
 *   holds: it would put older versions of rows over newer ones (a merge deletes and
 *   re-inserts by key whatever the cursor says). That only happens after `--since`
 *   left older runs behind; the operator then chooses: keep loading with `--since`,
 *   or drop those runs with `sluice s3clean clean --pattern <run-id> --force`.
 *   Append runs keep every version, so their order cannot lose data.
 */
export function selectRunsToLoad(
  tableName: string,
  pending: readonly RunManifest[],
  loaded: ReadonlyMap<string, LedgerRun>,
  since: Date | null,
  notes: string[],
  dryRun: boolean,
): ResultAsync<RunManifest[], SluiceError> {
  const startOf = (manifest: RunManifest) => runStartOf(manifest.runId) ?? new Date(manifest.createdAt);
  const before = since ? pending.filter((manifest) => startOf(manifest) < since) : [];
  const taken = pending.filter((manifest) => !before.includes(manifest));
  if (since && before.length > 0) {
    const rows = before.reduce((sum, manifest) => sum + manifest.rows, 0);
    notes.push(
      `${dryRun ? "would leave" : "left"} ${before.length} staged run(s) of ${tableName} that started before --since ${since.toISOString()} unloaded (${rows} rows): ${before.map((m) => m.runId).join(", ")}`,
    );
  }
  const newestLoaded = [...loaded.keys()]
    .filter((runId) => runStartOf(runId) !== null)
    .sort()
    .at(-1);
  const older = taken.filter(
    (manifest) =>
      newestLoaded !== undefined &&
      runStartOf(manifest.runId) !== null &&
      manifest.runId < newestLoaded &&
      (manifest.writeMode ?? "merge") !== "append",
  );
  if (older.length > 0) {
    const ids = older.map((manifest) => manifest.runId);
    return errAsync(
      configError(
        `${tableName}: staged run(s) ${ids.join(", ")} are older than run ${newestLoaded}, which the warehouse already holds; loading them now would put older versions of rows over newer ones. Load only newer runs with --since (e.g. --since '${runStartOf(newestLoaded ?? "")?.toISOString()}'), or drop the older runs with sluice s3clean clean -t ${tableName} --pattern '<run-id>' --force`,
      ),
    );
  }
  return okAsync(taken);
}
