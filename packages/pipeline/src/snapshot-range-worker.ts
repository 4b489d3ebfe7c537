import { parentPort, workerData } from "node:worker_threads";
import type { Source } from "@sluice/core";
import { isSluiceError, toSluiceError } from "@sluice/core";
import type { LaneReply, LaneRequest, LaneWorkerData } from "./snapshot-range-messages.js";
import { readSnapshotRange } from "./snapshot-range-read.js";

/**
 * One lane of a snapshot read on parallel connections (snapshot-lanes.ts): its own
 * source (opened from the recipe: its own connection) and its own Parquet writer, so
 * rows never cross threads; only finished part files' summaries do. Reads one range
 * at a time, as the run hands them out.
 */
const port = parentPort;
if (port === null) throw new Error("snapshot-range-worker.js must run as a worker thread");
const data = workerData as LaneWorkerData;
const stopFlag = new Int32Array(data.stopFlag);
const post = (reply: LaneReply): void => port.postMessage(reply);

let source: Source | null = null;
const openSource = async (): Promise<Source> => {
  if (source) return source;
  const module = (await import(data.recipe.module)) as Record<string, unknown>;
  const factory = module[data.recipe.factory];
  if (typeof factory !== "function") {
    throw new Error(`${data.recipe.module} has no function ${data.recipe.factory}`);
  }
  source = (factory as (options: unknown) => Source)(data.recipe.options);
  return source;
};

let partTaken: (() => void) | null = null;
const settings = { ...data.settings, stop: () => Atomics.load(stopFlag, 0) !== 0 };

port.on("message", (request: LaneRequest) => {
  switch (request.type) {
    case "part-taken":
      partTaken?.();
      partTaken = null;
      return;
    case "close":
      void (async () => {
        await source?.close().catch(() => {});
        post({ type: "closed" });
      })();
      return;
    case "read":
      void (async () => {
        try {
          const read = await readSnapshotRange(await openSource(), data.spec, request.plan, settings, {
            part: (summary) =>
              new Promise<void>((resolve) => {
                partTaken = resolve;
                post({ type: "part", summary });
              }),
            rows: (count) => post({ type: "rows", count }),
            query: (statement) => post({ type: "query", statement }),
            nullCursorRows: (count) => post({ type: "null-cursor-rows", count }),
          });
          post({ type: "read", read });
        } catch (thrown) {
          const error = isSluiceError(thrown)
            ? thrown
            : toSluiceError(
                thrown,
                "internal",
                `reading a snapshot range of ${data.spec.ref.schema}.${data.spec.ref.table}`,
              );
          post({ type: "failed", error: error.toJSON() });
        }
      })();
      return;
  }
});
