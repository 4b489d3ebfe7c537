import type { CursorPosition } from "@sluice/core";
import type { CountValidation, StagedRun } from "@sluice/pipeline";
import type { WatermarkDocument } from "@sluice/watermark-store";

export function positionText(position: CursorPosition | null | undefined): string {
  if (!position) return "(the beginning)";
  return `(${[position.cursorValue, ...position.keyValues].filter((value) => value !== null).join(", ")})`;
}

/** One bound of a key range: a value, or a composite key's tuple in parentheses. */
function keyText(key: readonly string[] | null | undefined, open: string): string {
  if (!key) return open;
  return key.length === 1 ? (key[0] ?? "") : `(${key.join(", ")})`;
}

/**
 * Where extraction stands: the position, or the initial snapshot in progress (its
 * frozen ceiling and the last key it took; the position is null meanwhile).
 */
export function extractPositionText(extract: WatermarkDocument["extract"] | undefined): string {
  if (extract?.phase === "snapshot" && extract.snapshot?.ranges?.length) {
    // Read on parallel connections (--snapshot-connections): each range's own progress.
    const { ranges } = extract.snapshot;
    const shown = ranges
      .slice(0, 4)
      .map((range) => `(${keyText(range.afterKey, "start")}, ${keyText(range.throughKey, "end")}]`);
    const more = ranges.length > shown.length ? `, and ${ranges.length - shown.length} more` : "";
    return `(initial snapshot below ${extract.snapshot.ceiling}, ${ranges.length} key range${ranges.length === 1 ? "" : "s"} to read: ${shown.join(", ")}${more})`;
  }
  if (extract?.phase === "snapshot" && extract.snapshot) {
    return `(initial snapshot below ${extract.snapshot.ceiling}, after key (${(extract.snapshot.afterKey ?? []).join(", ")}))`;
  }
  return positionText(extract?.position);
}

/**
 * One table's watermark for an operator: where extraction stands, what was loaded,
 * with this-run (session) and cumulative counts always on separate, labelled fields.
 */
export function watermarkText(document: WatermarkDocument): string {
  const lines = [`${document.table}: watermark revision ${document.revision}, updated ${document.updatedAt}`];
  const extract = document.extract;
  if (extract) {
    lines.push(
      `  extraction: ${extract.status} up to ${extractPositionText(extract)}${extract.phase ? ` (phase ${extract.phase})` : ""}, strategy ${extract.strategy}${extract.cursorColumn ? ` on ${extract.cursorColumn}` : ""}, ceiling ${extract.ceiling ?? "-"}, last run ${extract.lastRunId || "-"}`,
      `    rows extracted: last run ${extract.rowsLastRun} | cumulative ${extract.rowsTotal}`,
    );
  } else {
    lines.push("  extraction: none yet (the next sync starts from the beginning)");
  }
  const load = document.load;
  if (load) {
    lines.push(
      `  load: last run ${load.lastRunId} loaded at ${load.loadedAt}`,
      `    rows loaded: last run ${load.rowsLastRun} | cumulative ${load.rowsTotal}`,
    );
  } else {
    lines.push("  load: none recorded");
  }
  const override = document.lastOverride;
  if (override) {
    const what =
      override.event === "count" && override.count
        ? `cumulative ${override.count.stage} count ${override.count.before} -> ${override.count.after} (${override.count.mode} ${override.count.given})`
        : override.event === "reset"
          ? `reset from ${positionText(override.previousPosition)}${override.backupKey ? `, backup ${override.backupKey}` : ""}`
          : `set to ${positionText(override.position)} from ${positionText(override.previousPosition)}`;
    lines.push(`  last manual change: ${override.event} at ${override.at}: ${what}`);
  }
  return lines.join("\n");
}

export function stagedRunsText(runs: readonly StagedRun[]): string {
  if (runs.length === 0) return "  staged runs: none in the lake";
  const lines = [`  staged runs (${runs.length}):`];
  for (const run of runs) {
    const state =
      run.loaded === undefined
        ? ""
        : run.loaded === null
          ? "  NOT LOADED"
          : `  loaded at ${run.loaded.loadedAt} (${run.loaded.rows} rows)`;
    lines.push(`    run ${run.runId}: ${run.rows} rows in ${run.files.length} file(s)${state}`);
    for (const file of run.files) lines.push(`      ${file.key}  ${file.rows} rows  ${file.sizeBytes} bytes`);
  }
  return lines.join("\n");
}

export function countValidationText(validation: CountValidation): string {
  const wm = validation.watermark;
  const lines = [
    `${validation.table} -> ${validation.target}: ${validation.consistent ? "counts agree" : "COUNTS DIFFER"}`,
    `  source rows now: ${validation.sourceRows}`,
    `  target rows now: ${validation.targetRows}`,
    `  ledger rows loaded (all runs): ${validation.ledgerRows}`,
    wm
      ? `  watermark extracted: last run ${wm.extractedLastRun} | cumulative ${wm.extractedTotal}`
      : "  watermark: none",
    ...(wm ? [`  watermark loaded: last run ${wm.loadedLastRun} | cumulative ${wm.loadedTotal}`] : []),
    `  staged, not loaded: ${validation.stagedNotLoaded.rows} rows in ${validation.stagedNotLoaded.runs} run(s)`,
    `  pending in source after the watermark: ${validation.pendingInSource ?? "unknown"}`,
    ...validation.explanations.map((line) => `  - ${line}`),
  ];
  return lines.join("\n");
}
