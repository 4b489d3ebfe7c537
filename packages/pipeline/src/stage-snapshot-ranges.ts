import { rm } from "node:fs/promises";
import type { SnapshotRangeOutcome } from "@sluice/cdc-strategies";
import type {
  ExtractObserver,
  ExtractPlan,
  Logger,
  SnapshotRange,
  Source,
  StagedFile,
  TableSpec,
} from "@sluice/core";
import { formatTableRef } from "@sluice/core";
import type { ParquetPartSummary } from "@sluice/parquet-writer";
import { partKey } from "./lake-layout.js";
import type { StageProgress } from "./progress-reporter.js";
import { step } from "./result-steps.js";
import { type SnapshotLane, threadLane, workerLane } from "./snapshot-lanes.js";
import type { RangeReadSettings } from "./snapshot-range-read.js";
import { extractBatchBytes, extractBatchRows, type StagedParts } from "./stage-parts.js";
import { createStagedValueTally } from "./staged-value-tally.js";
import { defaultRowsPerFile, type SyncTableOptions } from "./sync-options.js";
import { textLimitFor } from "./type-policies.js";

export interface StagedRanges extends StagedParts {
  readonly ranges: readonly SnapshotRangeOutcome[];
}

/** How often the run looks at its time budget on behalf of the lanes. */
const budgetPollMs = 50;

/**
 * Stages an initial snapshot read in key ranges, `lanes` ranges at a time, each on
 * its own connection: on worker threads when the options carry a source recipe (each
 * thread reads and encodes its rows; this thread uploads finished part files, one at
 * a time, while the lanes go on), else on this thread. Ranges are handed out in key
 * order as lanes free up; once the time budget is spent, each lane stops at its next
 * page boundary and no range is started. The NULL-cursor pass (or count) goes with
 * the first range only. Throws the first lane failure after every lane stopped.
 */
export async function stageSnapshotRanges(
  source: Source,
  spec: TableSpec,
  plan: ExtractPlan,
  ranges: readonly SnapshotRange[],
  options: SyncTableOptions,
  run: { readonly id: string; readonly startedAt: Date; readonly workDir: string },
  logger: Logger,
  observer: ExtractObserver,
  progress: StageProgress,
  stopAtPageBoundary: (() => boolean) | undefined,
): Promise<StagedRanges> {
  const tableName = formatTableRef(options.table);
  const textLimit = textLimitFor(options);
  const values = createStagedValueTally(tableName, logger, textLimit?.maxBytes, options.nulInText ?? "fail");
  const stopFlag = new SharedArrayBuffer(4);
  const stopped = new Int32Array(stopFlag);
  const stop = () => Atomics.store(stopped, 0, 1);
  // Looked at between a lane's pages (lanes on this thread), on every batch a lane
  // reports, and on a timer: a worker lane sees the flag at its next page boundary.
  const spent = (): boolean => {
    if (Atomics.load(stopped, 0) !== 0) return true;
    if (!stopAtPageBoundary?.()) return false;
    stop();
    return true;
  };
  const settings: Omit<RangeReadSettings, "stop" | "lane"> = {
    part: {
      table: tableName,
      columns: spec.columns,
      keyColumns: spec.primaryKey,
      invalidDates: options.invalidDates ?? "null",
      nulInText: options.nulInText ?? "fail",
      ...(textLimit ? { textLimit } : {}),
      ...(options.compression ? { compression: options.compression } : {}),
    },
    rowsPerFile: options.rowsPerFile ?? defaultRowsPerFile,
    batchRows: extractBatchRows,
    batchBytes: extractBatchBytes,
    workDir: run.workDir,
    ...(options.retry ? { retry: options.retry } : {}),
  };
  const lanes = openLanes(
    source,
    spec,
    options,
    settings,
    stopFlag,
    spent,
    Math.min(ranges.length, laneCount(options)),
  );

  const files: StagedFile[] = [];
  let partIndex = 0;
  let upload: Promise<void> = Promise.resolve();
  const takePart = async (summary: ParquetPartSummary): Promise<void> => {
    values.add(summary);
    await upload;
    partIndex += 1;
    const key = partKey(options.table, run.startedAt, run.id, partIndex);
    upload = (async () => {
      const stored = await step(options.lake.putFile(key, summary.path));
      files.push({ key, uri: options.lake.uriFor(key), sizeBytes: stored.sizeBytes, rows: summary.rows });
      await rm(summary.path, { force: true });
      logger.debug("part staged", { table: tableName, key, rows: summary.rows, bytes: stored.sizeBytes });
    })();
    upload.catch(() => {});
  };

  const outcomes: SnapshotRangeOutcome[] = ranges.map((range) => ({
    range,
    lastKey: null,
    exhausted: false,
  }));
  const rangeRows = ranges.map(() => 0);
  const total = () => rangeRows.reduce((sum, rows) => sum + rows, 0);
  let next = 0;
  let failure: unknown = null;
  const poll = stopAtPageBoundary ? setInterval(spent, budgetPollMs) : null;
  const drive = async (lane: SnapshotLane): Promise<void> => {
    while (failure === null && Atomics.load(stopped, 0) === 0 && next < ranges.length) {
      const index = next;
      next += 1;
      const range = ranges[index] as SnapshotRange;
      const { nullCursor, ...rest } = plan;
      const rangePlan: ExtractPlan = {
        ...rest,
        ...(index === 0 && nullCursor !== undefined ? { nullCursor } : {}),
        snapshot: {
          keyColumns: plan.snapshot?.keyColumns ?? [],
          afterKey: range.afterKey,
          throughKey: range.throughKey,
        },
      };
      try {
        const read = await lane.read(rangePlan, {
          part: takePart,
          rows: (count) => {
            rangeRows[index] = count;
            progress.advance(total());
            spent();
          },
          query: (statement) => observer.query?.(statement),
          nullCursorRows: (count) => observer.nullCursorRows?.(count),
        });
        outcomes[index] = {
          range,
          lastKey: read.lastKey,
          exhausted: read.exhausted,
          ...(read.snapshotEnd !== undefined ? { snapshotEnd: read.snapshotEnd } : {}),
        };
        rangeRows[index] = read.rows;
      } catch (thrown) {
        failure ??= thrown;
        stop();
      }
    }
  };
  try {
    await Promise.all(lanes.map(drive));
    await upload;
  } catch (thrown) {
    failure ??= thrown;
  } finally {
    if (poll) clearInterval(poll);
    await upload.catch(() => {});
    await Promise.all(lanes.map((lane) => lane.close().catch(() => {})));
  }
  if (failure !== null) throw failure;
  const done = outcomes.every((outcome) => outcome.exhausted);
  const end = outcomes.find((outcome) => outcome.range.throughKey === null)?.snapshotEnd;
  if (done) {
    if (end !== undefined) observer.snapshotEnd?.(end);
    observer.exhausted?.();
  }
  return { files, rows: total(), lastRow: null, ...values.tally, ranges: outcomes };
}

/** Lanes the run may use: `--snapshot-connections`, or one. */
export function laneCount(options: SyncTableOptions): number {
  return Math.max(1, options.snapshotConnections?.count ?? 1);
}

function openLanes(
  source: Source,
  spec: TableSpec,
  options: SyncTableOptions,
  settings: Omit<RangeReadSettings, "stop" | "lane">,
  stopFlag: SharedArrayBuffer,
  stop: () => boolean,
  count: number,
): SnapshotLane[] {
  const connections = options.snapshotConnections;
  const usable = connections?.recipe || connections?.open ? Math.max(1, count) : 1;
  return Array.from({ length: usable }, (_, lane) => {
    if (connections?.recipe) return workerLane(connections.recipe, spec, { ...settings, lane }, stopFlag);
    // The first lane reads over the run's own source; more lanes need sources of their own.
    if (lane === 0 || !connections?.open) return threadLane(source, false, spec, { ...settings, lane, stop });
    return threadLane(connections.open(), true, spec, { ...settings, lane, stop });
  });
}
