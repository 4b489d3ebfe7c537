import { formatTableRef, type SluiceError, silentLogger } from "@sluice/core";
import {
  createLeaseStore,
  defaultLeaseTimeoutMs,
  fenceWithLease,
  leaseHolderFor,
  type WatermarkStore,
} from "@sluice/watermark-store";
import { type Err, ok, type ResultAsync } from "neverthrow";
import { cleanUpAbandonedRun } from "./abandoned-run.js";
import { runSteps } from "./result-steps.js";
import type { SyncTableOptions } from "./sync-options.js";

/**
 * Runs `work` while holding the table's run lease: acquired before anything is
 * planned (a second run is refused with the holder's name and age), renewed by a
 * heartbeat while the run works, released in every path, failure included. `work`
 * gets the watermark store fenced by the lease: each commit renews the lease first,
 * so a run that lost its lease to a takeover cannot commit over the newer run.
 */
export function holdingTableLease<T>(
  options: SyncTableOptions,
  runId: string,
  watermarks: WatermarkStore,
  notes: string[],
  work: (fenced: WatermarkStore) => ResultAsync<T, SluiceError>,
): ResultAsync<T, SluiceError> {
  const tableName = formatTableRef(options.table);
  return runSteps(`holding the run lease of ${tableName}`, async function* () {
    return ok(yield* holding(options, runId, watermarks, notes, work));
  });
}

async function* holding<T>(
  options: SyncTableOptions,
  runId: string,
  watermarks: WatermarkStore,
  notes: string[],
  work: (fenced: WatermarkStore) => ResultAsync<T, SluiceError>,
): AsyncGenerator<Err<never, SluiceError>, T> {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.leaseTimeoutMs ?? defaultLeaseTimeoutMs;
  const leases = createLeaseStore(options.lake, {
    timeoutMs,
    logger,
    ...(options.clock ? { now: options.clock } : {}),
  });
  const lease = yield* leases.acquire(options.table, leaseHolderFor(runId, options.leaseHolder));
  const tableName = formatTableRef(options.table);
  const takenOver = lease.current().takenOverFrom;
  if (takenOver) {
    notes.push(
      takenOver.reason === "holder-dead"
        ? `took over the lease of ${takenOver.holderId} on ${tableName}: its process is gone (last renewed ${takenOver.renewedAt})`
        : `took over the stale lease of ${takenOver.holderId} on ${tableName} (last renewed ${takenOver.renewedAt}, expired ${takenOver.expiresAt})`,
    );
  }
  const recover = async function* (): AsyncGenerator<Err<never, SluiceError>, void> {
    if (!takenOver?.runId) return;
    // Before anything else: what the dead run staged without committing must not be loaded.
    const watermark = yield* watermarks.read(options.table);
    const cleanup = yield* cleanUpAbandonedRun(
      options.lake,
      options.table,
      takenOver.runId,
      watermark,
      logger,
    );
    if (cleanup.manifestsRemoved + cleanup.partsRemoved > 0) {
      notes.push(
        `removed ${cleanup.partsRemoved} part(s) and ${cleanup.manifestsRemoved} manifest(s) of run ${cleanup.runId}, which died before committing its extraction; its rows are extracted again`,
      );
    }
  };
  const heartbeat = setInterval(
    () => {
      void lease.renew().then((renewed) => {
        // The next commit renews again and stops the run; this only tells the operator early.
        if (renewed.isErr())
          logger.warn("lease heartbeat failed", { table: tableName, error: renewed.error.message });
      });
    },
    options.leaseRenewEveryMs ?? Math.floor(timeoutMs / 3),
  );
  heartbeat.unref();
  try {
    yield* recover();
    return yield* work(fenceWithLease(watermarks, lease));
  } finally {
    clearInterval(heartbeat);
    const released = await lease.release();
    if (released.isErr()) {
      logger.warn("lease release failed", { table: tableName, error: released.error.message });
    }
  }
}
