import { Worker } from "node:worker_threads";
import type { ExtractPlan, Source, SourceRecipe, TableSpec } from "@sluice/core";
import { formatTableRef, sluiceError } from "@sluice/core";
import type { LaneReply, LaneRequest, LaneWorkerData } from "./snapshot-range-messages.js";
import {
  type RangeRead,
  type RangeReadEvents,
  type RangeReadSettings,
  readSnapshotRange,
} from "./snapshot-range-read.js";

/** One connection reading ranges of a snapshot, one range at a time. */
export interface SnapshotLane {
  read(plan: ExtractPlan, events: RangeReadEvents): Promise<RangeRead>;
  close(): Promise<void>;
}

/** Built JavaScript, from `src/` (tests) and `dist/` alike: a worker thread runs no TypeScript. */
const workerUrl = new URL("../dist/snapshot-range-worker.js", import.meta.url);

/**
 * A lane on a worker thread: the thread opens its own source from the recipe and
 * writes its own parts, so the run's thread only uploads files. `stopFlag` is shared:
 * the run sets it when the time budget is spent.
 */
export function workerLane(
  recipe: SourceRecipe,
  spec: TableSpec,
  settings: Omit<RangeReadSettings, "stop">,
  stopFlag: SharedArrayBuffer,
): SnapshotLane {
  const table = formatTableRef(spec.ref);
  const data: LaneWorkerData = { recipe, spec, settings, stopFlag };
  // Not the parent's Node flags: a test runner's `--conditions source` would make the
  // compiled worker import TypeScript sources (V8's flags are the process's anyway).
  const worker = new Worker(workerUrl, { workerData: data, execArgv: [] });
  const send = (request: LaneRequest) => worker.postMessage(request);
  let pending: {
    events: RangeReadEvents;
    resolve(read: RangeRead): void;
    reject(error: unknown): void;
  } | null = null;
  let failure: Error | null = null;
  let closed: (() => void) | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    pending?.reject(failure);
    pending = null;
    closed?.();
  };
  worker.on("message", (reply: LaneReply) => {
    const current = pending;
    switch (reply.type) {
      case "closed":
        closed?.();
        return;
      case "read":
        pending = null;
        current?.resolve(reply.read);
        return;
      case "failed":
        pending = null;
        current?.reject(
          sluiceError(reply.error.kind, reply.error.message, { retryable: reply.error.retryable }),
        );
        return;
      case "part":
        current?.events.part(reply.summary).then(
          () => send({ type: "part-taken" }),
          (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
        );
        return;
      case "rows":
        current?.events.rows(reply.count);
        return;
      case "query":
        current?.events.query(reply.statement);
        return;
      case "null-cursor-rows":
        current?.events.nullCursorRows(reply.count);
        return;
    }
  });
  worker.on("error", (error) =>
    fail(
      sluiceError(
        "internal",
        `${table}: a snapshot lane's thread failed (${error.message}); the run is not committed. Run again; if it repeats, run without --snapshot-connections and report it.`,
        { cause: error },
      ),
    ),
  );
  worker.on("exit", (code) =>
    fail(
      sluiceError(
        "internal",
        `${table}: a snapshot lane's thread exited with code ${code} while reading; the run is not committed. Run again; if it repeats, run without --snapshot-connections and report it.`,
      ),
    ),
  );
  return {
    read(plan, events) {
      if (failure) return Promise.reject(failure);
      return new Promise<RangeRead>((resolve, reject) => {
        pending = { events, resolve, reject };
        send({ type: "read", plan });
      });
    },
    async close() {
      if (!failure) {
        // Let the thread close its connection, then end it whatever it says.
        await new Promise<void>((resolve) => {
          closed = resolve;
          send({ type: "close" });
          setTimeout(resolve, 5_000).unref();
        });
      }
      await worker.terminate();
    },
  };
}

/**
 * A lane on the run's own thread, over a source of its own (closed with the lane) or
 * the run's source (left open: its caller closes it).
 */
export function threadLane(
  source: Source,
  owned: boolean,
  spec: TableSpec,
  settings: RangeReadSettings,
): SnapshotLane {
  return {
    read: (plan, events) => readSnapshotRange(source, spec, plan, settings, events),
    close: async () => {
      if (owned) await source.close();
    },
  };
}
