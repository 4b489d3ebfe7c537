import { configError, type SluiceError } from "@sluice/core";
import type { ReconcileState } from "@sluice/watermark-store";
import { err, ok, type Result } from "neverthrow";

/**
 * How often a sync run reconciles deletes (`--reconcile-deletes`): never (`off`, the
 * default), on every run (`every`), or when the last reconciliation recorded in the
 * watermark document is at least `hours` old (or there is none).
 */
export type ReconcileCadence = "off" | "every" | { readonly everyHours: number };

/** Parses `off`, `every`, `6h`, `6-hours`, `1.5h`. */
export function parseReconcileCadence(text: string): Result<ReconcileCadence, SluiceError> {
  const value = text.trim().toLowerCase();
  if (value === "off" || value === "every") return ok(value);
  const hours = /^([0-9]+(?:\.[0-9]+)?)\s*(?:h|-?hours?)$/.exec(value);
  if (hours && Number(hours[1]) > 0) return ok({ everyHours: Number(hours[1]) });
  return err(
    configError(
      `--reconcile-deletes must be off, every, or a number of hours such as 24h or 24-hours, got "${text}"`,
    ),
  );
}

/** Whether a run at `now` reconciles, given the last reconciliation (absent: never). */
export function isReconcileDue(
  cadence: ReconcileCadence,
  last: ReconcileState | undefined,
  now: Date,
): boolean {
  if (cadence === "off") return false;
  if (cadence === "every" || !last) return true;
  return now.getTime() - Date.parse(last.reconciledAt) >= cadence.everyHours * 3_600_000;
}
