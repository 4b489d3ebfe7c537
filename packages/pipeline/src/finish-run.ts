import type { SluiceError } from "@sluice/core";
import type { WatermarkStore } from "@sluice/watermark-store";
import { err, ok, okAsync, type ResultAsync } from "neverthrow";
import { runSteps } from "./result-steps.js";
import { incompleteRun } from "./run-failure.js";
import type { RunReport } from "./run-report.js";
import { cumulativeCounts, shortfall, stageCounts } from "./stage-counts.js";
import type { SyncTableOptions } from "./sync-options.js";
import { verifyTableData } from "./verify-data.js";

/**
 * The end of a run: every stage's counts (this run, and cumulative from the
 * watermark), then the checks that keep a run from reporting success it did not
 * have: rows extracted and not loaded, fewer loaded than staged, and (with
 * `verifyData`) source and target differing. A failed check is an
 * `IncompleteRunError` carrying the report.
 */
export function finishRun(
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  report: RunReport,
): ResultAsync<RunReport, SluiceError> {
  if (report.dryRun) return okAsync(report);
  return runSteps(`finishing the run of ${report.table}`, async function* () {
    const document = yield* watermarks.read(options.table);
    let done: RunReport = {
      ...report,
      counts: stageCounts(report.extract, report.load),
      cumulative: cumulativeCounts(document),
    };
    const missing = shortfall(report.table, report.extract, report.load);
    if (missing) return err(incompleteRun(done, missing));
    if (options.verifyData && options.mode !== "backup-only") {
      const verification = yield* verifyTableData(options);
      done = { ...done, verification };
      if (verification.mismatches.length > 0) {
        const shown = verification.mismatches.slice(0, 5).map((mismatch) => {
          const from = mismatch.from ? `(${mismatch.from.join(", ")})` : "the first key";
          const to = mismatch.to ? `(${mismatch.to.join(", ")})` : "the last key";
          return `keys ${from} to ${to}: source ${mismatch.sourceRows} rows, target ${mismatch.targetRows} rows${mismatch.sourceRows === mismatch.targetRows ? ", contents differ" : ""}`;
        });
        const more =
          verification.mismatches.length > 5
            ? `, and ${verification.mismatches.length - 5} more range(s)`
            : "";
        return err(
          incompleteRun(
            done,
            `${report.table}: source and target ${verification.target} differ in ${verification.mismatches.length} of ${verification.ranges} key range(s): ${shown.join("; ")}${more}; rows changed in the source after this run show up here too: rerun and verify again, or reload the table`,
          ),
        );
      }
    }
    return ok(done);
  });
}
