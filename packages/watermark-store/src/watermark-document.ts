import { z } from "zod";

/** How many history entries a document keeps; older ones fall off the front. */
export const historyLimit = 50;

/** The format written today; older formats are migrated when read (see `migrateWatermarkDocument`). */
export const currentWatermarkVersion = 2;

const instantSchema = z.iso.datetime({ offset: true });

export const cursorPositionSchema = z.object({
  cursorValue: z.string().nullable(),
  keyValues: z.array(z.string()).readonly(),
});

/** An initial snapshot in progress: read in primary-key order below a frozen ceiling. */
const snapshotStateSchema = z.object({
  /** The ceiling captured by the snapshot's first run; every run of the snapshot reads below it. */
  ceiling: z.string(),
  /** Primary key of the last row the snapshot took (canonical text); null before its first row. */
  afterKey: z.array(z.string()).readonly().nullable(),
  /**
   * A snapshot read in key ranges on parallel connections: the ranges still to read,
   * each after its own last key (`afterKey` above is then null). Absent: one range.
   */
  ranges: z
    .array(
      z.object({
        afterKey: z.array(z.string()).readonly().nullable(),
        /** The range's last key, inclusive; null for the range that runs to the table's end. */
        throughKey: z.array(z.string()).readonly().nullable(),
      }),
    )
    .readonly()
    .optional(),
});

const extractStateSchema = z.object({
  /** `committed`: a run's extraction put the cursor here; `overridden`: an operator did (`watermark set`). */
  status: z.enum(["committed", "overridden"]),
  strategy: z.string().min(1),
  cursorColumn: z.string().nullable(),
  /** The last row extracted, in the strategy's order: the next run starts after it. */
  position: cursorPositionSchema.nullable(),
  /**
   * `snapshot`: an initial snapshot is in progress (`position` is null, `snapshot` says
   * where it stands); `incremental`: runs read from `position`. Absent (documents
   * written before initial snapshots, and strategies without one): incremental.
   */
  phase: z.enum(["snapshot", "incremental"]).optional(),
  /** Present while `phase` is `snapshot`. */
  snapshot: snapshotStateSchema.optional(),
  /** Upper bound of the last run (rows stamped at or after it waited for the next run). */
  ceiling: z.string().nullable(),
  /** "" when the position was set by hand before any run. */
  lastRunId: z.string(),
  manifestKey: z.string(),
  /** Rows the last run extracted (session count)... */
  rowsLastRun: z.number().int().nonnegative(),
  /** ...and every run together (cumulative count); shown apart, never mixed. */
  rowsTotal: z.number().int().nonnegative(),
  updatedAt: instantSchema,
});

const loadStateSchema = z.object({
  /** Mirror of the warehouse ledger, which stays the truth for what was loaded. */
  status: z.literal("loaded"),
  lastRunId: z.string(),
  /** Run manifest of the last loaded run; null in documents migrated from version 1. */
  manifestKey: z.string().nullable(),
  rowsLastRun: z.number().int().nonnegative(),
  rowsTotal: z.number().int().nonnegative(),
  loadedAt: instantSchema,
});

/** A cumulative count changed by hand (`watermark-count set-count`). */
const countOverrideSchema = z.object({
  stage: z.enum(["extract", "load"]),
  mode: z.enum(["absolute", "additive"]),
  /** The number given: the new total (`absolute`) or what was added (`additive`, may be negative). */
  given: z.number().int(),
  before: z.number().int().nonnegative(),
  after: z.number().int().nonnegative(),
});

/**
 * The last delete reconciliation (`--reconcile-deletes`, `sluice reconcile`): when, by
 * which run, how, and what it found. Optional in the document: absent means the table
 * was never reconciled, so documents written before it existed parse unchanged.
 */
const reconcileStateSchema = z.object({
  reconciledAt: instantSchema,
  runId: z.string(),
  mode: z.enum(["soft", "hard"]),
  /** Target rows the source no longer has, deleted or flagged. */
  keysDeleted: z.number().int().nonnegative(),
  /** Source rows at or below the watermark that the target lacks (reported, not fixed). */
  keysMissing: z.number().int().nonnegative(),
});

/** The last manual change (`watermark set` / `reset` / `watermark-count set-count`), kept until the next one. */
const overrideSchema = z.object({
  at: instantSchema,
  event: z.enum(["set", "reset", "count"]),
  position: cursorPositionSchema.nullable(),
  /** Where the cursor was before, so an operator can undo a mistaken set. */
  previousPosition: cursorPositionSchema.nullable(),
  /** `count` only: which count changed and from what. */
  count: countOverrideSchema.optional(),
  /** `reset` only: where the document was copied before it was cleared. */
  backupKey: z.string().optional(),
});

const historyEntrySchema = z.object({
  at: instantSchema,
  event: z.enum(["extract", "load", "set", "reset", "count"]),
  runId: z.string().nullable(),
  position: cursorPositionSchema.nullable(),
  rows: z.number().int().nonnegative(),
});

/**
 * The per-table state document at `_state/<schema.table>/watermark.json`. `version`
 * is the document format (2; version 1 documents are migrated when read and
 * rewritten as 2 on the next write); `revision` counts writes and is what the
 * callers' expected-revision check compares, while the object store's version
 * (ETag / digest) guards the write itself. See docs/watermarks.md.
 */
export const watermarkDocumentSchema = z.object({
  version: z.literal(currentWatermarkVersion),
  table: z.string().min(1),
  revision: z.number().int().positive(),
  createdAt: instantSchema,
  updatedAt: instantSchema,
  extract: extractStateSchema.nullable(),
  load: loadStateSchema.nullable(),
  lastOverride: overrideSchema.nullable(),
  reconcile: reconcileStateSchema.optional(),
  history: z.array(historyEntrySchema).max(historyLimit).readonly(),
});

export type WatermarkDocument = z.infer<typeof watermarkDocumentSchema>;
export type ExtractState = NonNullable<WatermarkDocument["extract"]>;
export type LoadState = NonNullable<WatermarkDocument["load"]>;
export type WatermarkOverride = NonNullable<WatermarkDocument["lastOverride"]>;
export type WatermarkHistoryEntry = WatermarkDocument["history"][number];
export type CountOverride = NonNullable<WatermarkOverride["count"]>;
export type ReconcileState = NonNullable<WatermarkDocument["reconcile"]>;
export type SnapshotState = NonNullable<ExtractState["snapshot"]>;

/**
 * What a run commits after extraction; the store adds `status` and `rowsLastRun`.
 * `ceiling` is optional so version-1 era callers keep compiling.
 */
export type ExtractCommit = Omit<ExtractState, "status" | "rowsLastRun" | "ceiling"> & {
  readonly ceiling?: string | null;
};

/** What a load commits; `manifestKey` and `rowsLastRun` are optional for version-1 era callers. */
export type LoadCommit = Omit<LoadState, "status" | "manifestKey" | "rowsLastRun"> & {
  readonly manifestKey?: string | null;
  readonly rowsLastRun?: number;
};
