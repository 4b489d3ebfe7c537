import type { ReconcileCadence } from "@sluice/pipeline";
import { Option } from "commander";
import { reconcileCadence, wholeNumberAtLeastZero } from "./flag-parsers.js";

/** The delete-reconciliation flags, shared by `sync` and `reconcile`, parsed where commander reads them. */
export interface ReconcileFlags {
  reconcileDeletes?: ReconcileCadence;
  deleteMode?: "soft" | "hard";
  reconcileMaxDeletes?: number;
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
  ).argParser(reconcileCadence("--reconcile-deletes"));

/** The pipeline options these flags ask for (only those given). */
export function reconcileSettings(flags: ReconcileFlags): {
  reconcileDeletes?: ReconcileCadence;
  deleteMode?: "soft" | "hard";
  reconcileMaxDeletes?: number;
} {
  return {
    ...(flags.reconcileDeletes !== undefined ? { reconcileDeletes: flags.reconcileDeletes } : {}),
    ...(flags.deleteMode ? { deleteMode: flags.deleteMode } : {}),
    ...(flags.reconcileMaxDeletes !== undefined ? { reconcileMaxDeletes: flags.reconcileMaxDeletes } : {}),
  };
}
