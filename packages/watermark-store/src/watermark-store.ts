import {
  type CursorPosition,
  formatTableRef,
  type ObjectStore,
  type SluiceError,
  sluiceError,
  type TableRef,
} from "@sluice/core";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import {
  type ExtractState,
  historyLimit,
  type LoadState,
  type WatermarkDocument,
  type WatermarkHistoryEntry,
  watermarkDocumentSchema,
} from "./watermark-document.js";
import { statePrefix, watermarkFileName, watermarkKey } from "./watermark-key.js";

/** `expectedRevision` null means "I expect no document yet" (a first run). */
export interface WatermarkStore {
  /** null when the table has no state yet; a corrupt document fails with kind `watermark`. */
  read(ref: TableRef): ResultAsync<WatermarkDocument | null, SluiceError>;
  /** Commit-1: the extraction cursor moves only after the run's parts and manifest are durable. */
  recordExtract(
    ref: TableRef,
    expectedRevision: number | null,
    extract: ExtractState,
    runId: string,
    rows: number,
  ): ResultAsync<WatermarkDocument, SluiceError>;
  /** Commit-2: mirrors the warehouse load (the ledger in the warehouse stays the truth). */
  recordLoad(
    ref: TableRef,
    expectedRevision: number | null,
    load: LoadState,
  ): ResultAsync<WatermarkDocument, SluiceError>;
  /**
   * Operator override of the cursor (`sluice watermark set`). Without
   * `expectedRevision` it writes unconditionally, and it overwrites a corrupt
   * document. `strategy` is needed only when the table has never been extracted.
   */
  set(
    ref: TableRef,
    position: CursorPosition | null,
    options?: { expectedRevision?: number | null; strategy?: string; cursorColumn?: string | null },
  ): ResultAsync<WatermarkDocument, SluiceError>;
  /**
   * Forgets extract and load state so the next run starts from scratch. Keeps the
   * document (revision keeps counting, history keeps the reset) rather than deleting
   * it, so a concurrent writer still sees a revision change. Overwrites a corrupt one.
   */
  reset(
    ref: TableRef,
    options?: { expectedRevision?: number | null },
  ): ResultAsync<WatermarkDocument, SluiceError>;
  /** Every table's document, sorted by table name. */
  list(): ResultAsync<readonly WatermarkDocument[], SluiceError>;
}

export interface WatermarkStoreOptions {
  /** Clock for `at` / `updatedAt` stamps; tests pin it. */
  readonly now?: () => Date;
}

type Change = (
  current: WatermarkDocument | null,
  at: string,
) => Result<
  { extract: WatermarkDocument["extract"]; load: WatermarkDocument["load"]; entry: WatermarkHistoryEntry },
  SluiceError
>;

/**
 * Watermarks as JSON documents in the lake, so state travels with the data it
 * describes and needs no extra database.
 *
 * Compare-and-set: every write re-reads the document and fails with kind `conflict`
 * when its revision is not the one the caller planned from. Writes to one table from
 * this process are serialised, so that check is exact within a process. Across
 * processes there is a window between the re-read and the PUT: true compare-and-set
 * on S3 needs a conditional PUT (If-Match on the ETag), which S3 supports but the
 * s3rver stand-in ignores, so it could not be tested here; the local store could do it
 * with a lock file or a link(2)-based exclusive create. Until then the run lease
 * (one Airflow task per table) is what keeps two writers apart.
 */
export function createWatermarkStore(
  store: ObjectStore,
  options: WatermarkStoreOptions = {},
): WatermarkStore {
  const now = options.now ?? (() => new Date());
  const queues = new Map<string, Promise<unknown>>();

  // Runs `work` after every earlier write to the same key has settled.
  const serialised = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return next;
  };

  const corrupt = (key: string, table: string, why: string): SluiceError =>
    sluiceError(
      "watermark",
      `watermark document ${store.uriFor(key)} is unreadable (${why}); inspect it, then fix it with \`sluice watermark set ${table} ...\` or start over with \`sluice watermark reset ${table}\``,
    );

  const decode = (key: string, table: string, bytes: Uint8Array): Result<WatermarkDocument, SluiceError> => {
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch (thrown) {
      return err(
        corrupt(key, table, `not JSON: ${thrown instanceof Error ? thrown.message : String(thrown)}`),
      );
    }
    const parsed = watermarkDocumentSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue?.path.join(".") || "document";
      return err(corrupt(key, table, `${path}: ${issue?.message ?? "invalid"}`));
    }
    if (parsed.data.table !== table) {
      return err(corrupt(key, table, `it describes table ${parsed.data.table}`));
    }
    return ok(parsed.data);
  };

  const readKey = (key: string, table: string) =>
    store.get(key).andThen((bytes) => (bytes === null ? ok(null) : decode(key, table, bytes)));

  const read = (ref: TableRef) => readKey(watermarkKey(ref), formatTableRef(ref));

  // A corrupt document blocks extract/load writes but not the operator's repairs;
  // those keep counting from whatever revision the broken text still shows.
  const readForRepair = (key: string, table: string) =>
    store.get(key).map((bytes) => {
      if (bytes === null) return { document: null, revision: 0 };
      const decoded = decode(key, table, bytes);
      if (decoded.isOk()) return { document: decoded.value, revision: decoded.value.revision };
      return { document: null, revision: salvageRevision(bytes) };
    });

  const write = (
    ref: TableRef,
    expectedRevision: number | null | undefined,
    repair: boolean,
    change: Change,
  ): ResultAsync<WatermarkDocument, SluiceError> => {
    const key = watermarkKey(ref);
    const table = formatTableRef(ref);
    const attempt = async (): Promise<Result<WatermarkDocument, SluiceError>> => {
      const current = repair
        ? await readForRepair(key, table)
        : await readKey(key, table).map((document) => ({ document, revision: document?.revision ?? 0 }));
      if (current.isErr()) return err(current.error);
      const { document, revision } = current.value;
      const found = revision === 0 ? null : revision;
      if (expectedRevision !== undefined && expectedRevision !== found) {
        return err(
          sluiceError(
            "conflict",
            `watermark of ${table} changed since this run read it: expected revision ${expectedRevision ?? "none"}, found ${found ?? "none"}; another sluice run or operator wrote it, check for concurrent runs and rerun`,
          ),
        );
      }
      const changed = change(document, now().toISOString());
      if (changed.isErr()) return err(changed.error);
      const next: WatermarkDocument = {
        version: 1,
        table,
        revision: revision + 1,
        extract: changed.value.extract,
        load: changed.value.load,
        history: [...(document?.history ?? []), changed.value.entry].slice(-historyLimit),
      };
      const stored = await store.put(key, `${JSON.stringify(next, null, 2)}\n`, {
        contentType: "application/json",
      });
      return stored.map(() => next);
    };
    return new ResultAsync(serialised(key, attempt));
  };

  return {
    read,

    recordExtract: (ref, expectedRevision, extract, runId, rows) =>
      write(ref, expectedRevision, false, (current, at) =>
        ok({
          extract,
          load: current?.load ?? null,
          entry: { at, event: "extract", runId, position: extract.position, rows },
        }),
      ),

    recordLoad: (ref, expectedRevision, load) =>
      write(ref, expectedRevision, false, (current, at) =>
        ok({
          extract: current?.extract ?? null,
          load,
          // loads carry cumulative totals; history shows what this load added
          entry: {
            at,
            event: "load",
            runId: load.lastRunId,
            position: current?.extract?.position ?? null,
            rows: Math.max(0, load.rowsTotal - (current?.load?.rowsTotal ?? 0)),
          },
        }),
      ),

    set: (ref, position, setOptions = {}) =>
      write(ref, setOptions.expectedRevision, true, (current, at) => {
        const previous = current?.extract;
        const strategy = setOptions.strategy ?? previous?.strategy;
        if (!strategy) {
          return err(
            sluiceError(
              "config",
              `table ${formatTableRef(ref)} has no extraction state yet; pass the CDC strategy (e.g. --strategy hybrid) when setting its watermark`,
            ),
          );
        }
        return ok({
          extract: {
            strategy,
            cursorColumn:
              setOptions.cursorColumn !== undefined
                ? setOptions.cursorColumn
                : (previous?.cursorColumn ?? null),
            position,
            lastRunId: previous?.lastRunId ?? "",
            manifestKey: previous?.manifestKey ?? "",
            rowsTotal: previous?.rowsTotal ?? 0,
            updatedAt: at,
          },
          load: current?.load ?? null,
          entry: { at, event: "set", runId: null, position, rows: 0 },
        });
      }),

    reset: (ref, resetOptions = {}) =>
      write(ref, resetOptions.expectedRevision, true, (_current, at) =>
        ok({
          extract: null,
          load: null,
          entry: { at, event: "reset", runId: null, position: null, rows: 0 },
        }),
      ),

    list: () =>
      store.list(statePrefix).andThen((objects) => {
        const keys = objects
          .map((object) => object.key)
          .filter((key) => key.endsWith(`/${watermarkFileName}`) && key.split("/").length === 3);
        return ResultAsync.combine(
          keys.map((key) => {
            const table = key.split("/")[1] ?? "";
            return readKey(key, table).andThen((document) =>
              document ? okAsync(document) : errAsync(corrupt(key, table, "it vanished while listing")),
            );
          }),
        ).map((documents) =>
          [...documents].sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0)),
        );
      }),
  };
}

function salvageRevision(bytes: Uint8Array): number {
  try {
    const revision = (JSON.parse(new TextDecoder().decode(bytes)) as { revision?: unknown }).revision;
    return typeof revision === "number" && Number.isInteger(revision) && revision > 0 ? revision : 0;
  } catch {
    return 0;
  }
}
