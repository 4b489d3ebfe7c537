import type { SluiceError } from "@sluice/core";
import { parseReconcileCadence, type ReconcileCadence } from "@sluice/pipeline";
import { Option } from "commander";
import { flagValue, reconcileCadence, wholeNumberAtLeastZero } from "./flag-parsers.js";

/** The delete-reconciliation flags, shared by `sync` and `reconcile`. */
export interface ReconcileFlags {
  reconcileDeletes?: string | ReconcileCadence;
  deleteMode?: "soft" | "hard";
  /** Checked by `wholeNumberAtLeastZero` where commander reads it. */
  reconcileMaxDeletes?: number | string;
}

export const deleteModeOption = (): Option =>
  new Option(
    "--delete-mode <mode>",
    "rows deleted in MySQL: soft (default: _sluice_deleted_at set in the target) or hard (DELETE)",
  ).choices(["soft", "hard"]);

export const maxDeletesOption = (): Option =>
  new Option(
    "--reconcile-max-deletes <n>",
    "stop without deleting when a reconciliation finds more deletes than this (default 1000000)",
  ).argParser(wholeNumberAtLeastZero("--reconcile-max-deletes"));

/** `--reconcile-deletes off|every|24h`, parsed into a cadence where commander reads it. */
export const reconcileDeletesOption = (): Option =>
  new Option(
    "--reconcile-deletes <cadence>",
    "after the load, find rows deleted in MySQL by primary-key reconciliation: off (default), every run, or N-hours (e.g. 24h) since the last",
  ).argParser(reconcileCadence());

/** The pipeline options these flags ask for, or the error naming the bad flag. */
export function reconcileSettings(flags: ReconcileFlags):
  | SluiceError
  | {
      reconcileDeletes?: ReconcileCadence;
      deleteMode?: "soft" | "hard";
      reconcileMaxDeletes?: number;
    } {
  const settings: {
    reconcileDeletes?: ReconcileCadence;
    deleteMode?: "soft" | "hard";
    reconcileMaxDeletes?: number;
  } = {};
  // Text until sync-command.ts takes `reconcileDeletesOption()` (already a cadence then).
  if (typeof flags.reconcileDeletes === "string") {
    const cadence = parseReconcileCadence(flags.reconcileDeletes);
    if (cadence.isErr()) return cadence.error;
    settings.reconcileDeletes = cadence.value;
  } else if (flags.reconcileDeletes !== undefined) {
    settings.reconcileDeletes = flags.reconcileDeletes;
  }
  if (flags.deleteMode) settings.deleteMode = flags.deleteMode;
  const maxDeletes = flagValue(wholeNumberAtLeastZero("--reconcile-max-deletes"), flags.reconcileMaxDeletes);
  if ("error" in maxDeletes) return maxDeletes.error;
  if (maxDeletes.value !== undefined) settings.reconcileMaxDeletes = maxDeletes.value;
  return settings;
}
