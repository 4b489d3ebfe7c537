import type { SluiceError } from "@sluice/core";
import { configError } from "@sluice/core";
import { parseReconcileCadence, type ReconcileCadence } from "@sluice/pipeline";
import { Option } from "commander";

/** The delete-reconciliation flags, shared by `sync` and `reconcile`. */
export interface ReconcileFlags {
  reconcileDeletes?: string;
  deleteMode?: "soft" | "hard";
  reconcileMaxDeletes?: string;
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
  );

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
  if (flags.reconcileDeletes !== undefined) {
    const cadence = parseReconcileCadence(flags.reconcileDeletes);
    if (cadence.isErr()) return cadence.error;
    settings.reconcileDeletes = cadence.value;
  }
  if (flags.deleteMode) settings.deleteMode = flags.deleteMode;
  if (flags.reconcileMaxDeletes !== undefined) {
    if (!/^[0-9]+$/.test(flags.reconcileMaxDeletes.trim())) {
      return configError(
        `--reconcile-max-deletes must be a whole number >= 0, got "${flags.reconcileMaxDeletes}"`,
      );
    }
    settings.reconcileMaxDeletes = Number(flags.reconcileMaxDeletes);
  }
  return settings;
}
