/** What one delete reconciliation did, for the run report (`reconcile`) and `sluice reconcile`. */
export interface ReconcileReport {
  /** `soft`: rows flagged with `_sluice_deleted_at`; `hard`: rows deleted. */
  readonly mode: "soft" | "hard";
  /** `schema.table` in the warehouse; null when the run stopped before resolving it. */
  readonly target: string | null;
  /** Why nothing was compared (never extracted, full snapshots, no target yet); null when it ran. */
  readonly skipped: string | null;
  /** Key ranges whose digests (count + hash sum) were compared on both sides. */
  readonly rangesCompared: number;
  /** Ranges that differed and were split into parts. */
  readonly rangesDrilled: number;
  /** Ranges small enough to compare key by key. */
  readonly leafRanges: number;
  /** Keys read by both sides together in those ranges. */
  readonly keysListed: number;
  /** Target rows the source no longer has: deleted (hard) or newly flagged (soft). */
  readonly keysDeleted: number;
  /** Source rows at or below the watermark that the target lacks: reported, not fixed. */
  readonly keysMissing: number;
  /** Up to 10 of them, as key values. */
  readonly missingSample: readonly (readonly string[])[];
  /** Source rows after the watermark (not extracted yet) that the target lacks: expected. */
  readonly keysPending: number;
  /** Statements the comparison issued on each side (the apply transaction is not counted). */
  readonly queries: { readonly source: number; readonly target: number };
  /** True when the warehouse ledger already held this reconciliation: nothing was applied again. */
  readonly alreadyApplied: boolean;
  readonly durationMs: number;
}
