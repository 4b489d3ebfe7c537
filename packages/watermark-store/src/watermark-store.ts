import {
  type CursorPosition,
  formatTableRef,
  type ObjectStore,
  type ObjectVersion,
  type SluiceError,
  sluiceError,
  type TableRef,
} from "@sluice/core";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { compareAndSetText } from "./compare-and-set.js";
import {
  currentWatermarkVersion,
  type ExtractCommit,
  type ExtractState,
  historyLimit,
  type LoadCommit,
  type ReconcileState,
  type WatermarkDocument,
  type WatermarkHistoryEntry,
} from "./watermark-document.js";
import { migrateWatermarkDocument } from "./watermark-document-migration.js";
import { statePrefix, watermarkBackupKey, watermarkFileName, watermarkKey } from "./watermark-key.js";

/** `expectedRevision` null means "I expect no document yet" (a first run). */
export interface WatermarkStore {
  /** null when the table has no state yet; a corrupt document fails with kind `watermark`. */
  read(ref: TableRef): ResultAsync<WatermarkDocument | null, SluiceError>;
  /** Commit-1: the extraction cursor moves only after the run's parts and manifest are durable. */
  recordExtract(
    ref: TableRef,
    expectedRevision: number | null,
    extract: ExtractCommit,
    runId: string,
    rows: number,
  ): ResultAsync<WatermarkDocument, SluiceError>;
  /** Commit-2: mirrors the warehouse load (the ledger in the warehouse stays the truth). */
  recordLoad(
    ref: TableRef,
    expectedRevision: number | null,
    load: LoadCommit,
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
    options?: { expectedRevision?: number | null; backupKey?: string },
  ): ResultAsync<WatermarkDocument, SluiceError>;
  /**
   * Copies the stored document, byte for byte (even a corrupt one), to
   * `_state/<schema.table>/backups/<time>.json` and resolves to that key; null when
   * the table has no document. `sluice watermark reset` calls it first.
   */
  backup(ref: TableRef): ResultAsync<string | null, SluiceError>;
  /**
   * Operator correction of a cumulative count (`sluice watermark-count set-count`):
   * `absolute` sets the total, `additive` adds `count` (negative subtracts). The
   * session count (`rowsLastRun`) is left alone. Recorded in `lastOverride` and history.
   */
  setCount(
    ref: TableRef,
    change: { stage: "extract" | "load"; mode: "absolute" | "additive"; count: number },
  ): ResultAsync<WatermarkDocument, SluiceError>;
  /**
   * Puts the extraction state back to `extract`, the state run `runId` started from
   * (its run manifest recorded it), when that run and every later one are withdrawn
   * (`sluice runs drop`). Load state stays. Recorded as an operator `set` in
   * `lastOverride` (with the position it replaced) and in history, naming `runId`.
   */
  rewindExtract(
    ref: TableRef,
    expectedRevision: number | null,
    extract: ExtractState | null,
    runId: string,
  ): ResultAsync<WatermarkDocument, SluiceError>;
  /** Every table's document, sorted by table name. */
  list(): ResultAsync<readonly WatermarkDocument[], SluiceError>;
  /**
   * Records a delete reconciliation (its time drives `--reconcile-deletes N-hours`).
   * Leaves extract and load state and the history as they are.
   */
  recordReconcile(
    ref: TableRef,
    expectedRevision: number | null,
    reconcile: ReconcileState,
  ): ResultAsync<WatermarkDocument, SluiceError>;
}

export interface WatermarkStoreOptions {
  /** Clock for `at` / `updatedAt` stamps; tests pin it. */
  readonly now?: () => Date;
}

type Change = (
  current: WatermarkDocument | null,
  at: string,
) => Result<
  {
    extract: WatermarkDocument["extract"];
    load: WatermarkDocument["load"];
    lastOverride?: WatermarkDocument["lastOverride"];
    /** Absent: keep the document's; null: drop it. */
    reconcile?: ReconcileState | null;
    /** Absent: the history is left as it is. */
    entry?: WatermarkHistoryEntry;
  },
  SluiceError
>;

/**
 * Watermarks as JSON documents in the lake, so state travels with the data it
 * describes and needs no extra database.
 *
 * Compare-and-set: every write reads the document with its version (ETag on S3, a
 * content digest locally), fails with kind `conflict` when its revision is not the
 * one the caller planned from, and then writes conditionally on that version, so a
 * writer that slips in between (another process, another host) makes this write
 * fail instead of being overwritten. Every write is read back and compared byte for
 * byte. Writes without an expected revision (operator repairs) retry on a fresh
 * read a few times instead.
 */
export function createWatermarkStore(
  store: ObjectStore,
  options: WatermarkStoreOptions = {},
): WatermarkStore {
  const now = options.now ?? (() => new Date());

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
    const parsed = migrateWatermarkDocument(json);
    if (parsed.isErr()) return err(corrupt(key, table, parsed.error));
    if (parsed.value.table !== table) {
      return err(corrupt(key, table, `it describes table ${parsed.value.table}`));
    }
    return ok(parsed.value);
  };

  const readKey = (key: string, table: string) =>
    store.get(key).andThen((bytes) => (bytes === null ? ok(null) : decode(key, table, bytes)));

  interface Current {
    readonly document: WatermarkDocument | null;
    readonly revision: number;
    /** Version of the stored object, null when there is none. */
    readonly version: ObjectVersion | null;
  }

  const read = (ref: TableRef) => readKey(watermarkKey(ref), formatTableRef(ref));

  // A corrupt document blocks extract/load writes but not the operator's repairs;
  // those keep counting from whatever revision the broken text still shows.
  const readCurrent = (key: string, table: string, repair: boolean): ResultAsync<Current, SluiceError> =>
    store.getVersioned(key).andThen((stored): Result<Current, SluiceError> => {
      if (stored === null) return ok({ document: null, revision: 0, version: null });
      const decoded = decode(key, table, stored.body);
      if (decoded.isOk()) {
        return ok({ document: decoded.value, revision: decoded.value.revision, version: stored.version });
      }
      if (!repair) return err(decoded.error);
      return ok({ document: null, revision: salvageRevision(stored.body), version: stored.version });
    });

  const write = (
    ref: TableRef,
    expectedRevision: number | null | undefined,
    repair: boolean,
    change: Change,
  ): ResultAsync<WatermarkDocument, SluiceError> => {
    const key = watermarkKey(ref);
    const table = formatTableRef(ref);
    const attempt = async (tries: number): Promise<Result<WatermarkDocument, SluiceError>> => {
      const current = await readCurrent(key, table, repair);
      if (current.isErr()) return err(current.error);
      const { document, revision, version } = current.value;
      const found = revision === 0 ? null : revision;
      if (expectedRevision !== undefined && expectedRevision !== found) {
        return err(
          sluiceError(
            "conflict",
            `watermark of ${table} changed since this run read it: expected revision ${expectedRevision ?? "none"}, found ${found ?? "none"}; another sluice run or operator wrote it, check for concurrent runs and rerun`,
          ),
        );
      }
      const at = now().toISOString();
      const changed = change(document, at);
      if (changed.isErr()) return err(changed.error);
      const reconcile =
        changed.value.reconcile !== undefined ? changed.value.reconcile : (document?.reconcile ?? null);
      const entry = changed.value.entry;
      const next: WatermarkDocument = {
        version: currentWatermarkVersion,
        table,
        revision: revision + 1,
        createdAt: document?.createdAt ?? at,
        updatedAt: at,
        extract: changed.value.extract,
        load: changed.value.load,
        lastOverride:
          changed.value.lastOverride !== undefined
            ? changed.value.lastOverride
            : (document?.lastOverride ?? null),
        ...(reconcile ? { reconcile } : {}),
        history: entry
          ? [...(document?.history ?? []), entry].slice(-historyLimit)
          : (document?.history ?? []),
      };
      const stored = await compareAndSetText(store, key, `${JSON.stringify(next, null, 2)}\n`, version);
      if (stored.isOk()) return ok(next);
      const failure = stored.error;
      if (failure.reason === "failed") return err(failure.error);
      // Operator writes (no expected revision) apply to whatever is current: read again.
      if (expectedRevision === undefined && tries < maxUnconditionalTries) return attempt(tries + 1);
      const why =
        failure.reason === "changed"
          ? `it was written by someone else between this run's read (revision ${found ?? "none"}) and its write`
          : `revision ${next.revision} did not read back as written (another writer replaced it at once)`;
      return err(
        sluiceError(
          "conflict",
          `watermark of ${table} was not committed: ${why}; another sluice run or operator is working on the table, check for concurrent runs and rerun`,
          failure.reason === "changed" ? { cause: failure.error } : {},
        ),
      );
    };
    return new ResultAsync(attempt(1));
  };

  return {
    read,

    recordExtract: (ref, expectedRevision, extract, runId, rows) =>
      write(ref, expectedRevision, false, (current, at) =>
        ok({
          extract: { ...extract, status: "committed", ceiling: extract.ceiling ?? null, rowsLastRun: rows },
          load: current?.load ?? null,
          entry: { at, event: "extract", runId, position: extract.position, rows },
        }),
      ),

    recordLoad: (ref, expectedRevision, load) =>
      write(ref, expectedRevision, false, (current, at) => {
        // loads carry cumulative totals; what this load added is the difference
        const added = load.rowsLastRun ?? Math.max(0, load.rowsTotal - (current?.load?.rowsTotal ?? 0));
        return ok({
          extract: current?.extract ?? null,
          load: {
            status: "loaded",
            lastRunId: load.lastRunId,
            manifestKey: load.manifestKey ?? null,
            rowsLastRun: added,
            rowsTotal: load.rowsTotal,
            loadedAt: load.loadedAt,
          },
          entry: {
            at,
            event: "load",
            runId: load.lastRunId,
            position: current?.extract?.position ?? null,
            rows: added,
          },
        });
      }),

    rewindExtract: (ref, expectedRevision, extract, runId) =>
      write(ref, expectedRevision, false, (current, at) => {
        const position = extract?.position ?? null;
        return ok({
          extract,
          load: current?.load ?? null,
          lastOverride: { at, event: "set", position, previousPosition: current?.extract?.position ?? null },
          entry: { at, event: "set", runId, position, rows: 0 },
        });
      }),

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
            status: "overridden",
            strategy,
            cursorColumn:
              setOptions.cursorColumn !== undefined
                ? setOptions.cursorColumn
                : (previous?.cursorColumn ?? null),
            position,
            ceiling: null,
            lastRunId: previous?.lastRunId ?? "",
            manifestKey: previous?.manifestKey ?? "",
            rowsLastRun: 0,
            rowsTotal: previous?.rowsTotal ?? 0,
            updatedAt: at,
          },
          load: current?.load ?? null,
          lastOverride: { at, event: "set", position, previousPosition: previous?.position ?? null },
          entry: { at, event: "set", runId: null, position, rows: 0 },
        });
      }),

    reset: (ref, resetOptions = {}) =>
      write(ref, resetOptions.expectedRevision, true, (current, at) =>
        ok({
          extract: null,
          load: null,
          lastOverride: {
            at,
            event: "reset",
            position: null,
            previousPosition: current?.extract?.position ?? null,
            ...(resetOptions.backupKey ? { backupKey: resetOptions.backupKey } : {}),
          },
          reconcile: null,
          entry: { at, event: "reset", runId: null, position: null, rows: 0 },
        }),
      ),

    backup: (ref) => {
      const key = watermarkKey(ref);
      return store.get(key).andThen((bytes) => {
        if (bytes === null) return okAsync(null);
        const backupKey = watermarkBackupKey(ref, now());
        return store
          .put(backupKey, bytes, { contentType: "application/json", ifNoneMatch: true })
          .andThen(() => store.get(backupKey))
          .andThen((back) =>
            back !== null && Buffer.from(back).equals(Buffer.from(bytes))
              ? okAsync(backupKey)
              : errAsync(
                  sluiceError(
                    "stage",
                    `backup ${store.uriFor(backupKey)} of the watermark of ${formatTableRef(ref)} did not read back as written; nothing was reset: check the lake and retry`,
                  ),
                ),
          );
      });
    },

    setCount: (ref, change) =>
      write(ref, undefined, false, (current, at) => {
        const table = formatTableRef(ref);
        if (!Number.isSafeInteger(change.count)) {
          return err(sluiceError("config", `${table}: --count must be a whole number, got ${change.count}`));
        }
        const state = change.stage === "extract" ? current?.extract : current?.load;
        if (!current || !state) {
          return err(
            sluiceError(
              "config",
              `${table} has no ${change.stage} state yet, so there is no cumulative ${change.stage} count to correct; run a sync first`,
            ),
          );
        }
        const before = state.rowsTotal;
        const after = change.mode === "absolute" ? change.count : before + change.count;
        if (after < 0) {
          return err(
            sluiceError(
              "config",
              `${table}: cumulative ${change.stage} count ${before} ${change.count < 0 ? "minus" : "plus"} ${Math.abs(change.count)} would be negative (${after}); pass a smaller number or --mode absolute`,
            ),
          );
        }
        const count = { stage: change.stage, mode: change.mode, given: change.count, before, after };
        const position = current.extract?.position ?? null;
        return ok({
          extract:
            change.stage === "extract" && current.extract
              ? { ...current.extract, rowsTotal: after }
              : current.extract,
          load:
            change.stage === "load" && current.load ? { ...current.load, rowsTotal: after } : current.load,
          lastOverride: { at, event: "count", position, previousPosition: position, count },
          entry: { at, event: "count", runId: null, position, rows: after },
        });
      }),
    recordReconcile: (ref, expectedRevision, reconcile) =>
      write(ref, expectedRevision, false, (current) =>
        ok({ extract: current?.extract ?? null, load: current?.load ?? null, reconcile }),
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

/** Attempts of an operator write (no expected revision) against concurrent writers. */
const maxUnconditionalTries = 5;

function salvageRevision(bytes: Uint8Array): number {
  try {
    const revision = (JSON.parse(new TextDecoder().decode(bytes)) as { revision?: unknown }).revision;
    return typeof revision === "number" && Number.isInteger(revision) && revision > 0 ? revision : 0;
  } catch {
    return 0;
  }
}
