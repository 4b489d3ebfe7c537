import type { ExtractPlan } from "@sluice/core";

/**
 * Whether the ordered pass may issue page `chunk` (counted from 0): at most
 * `plan.maxChunks` pages, and none once the caller's `stopAtPageBoundary` says stop.
 * The stop is asked only between pages (never before the first, so every run makes
 * progress, and never mid-page, so a run ends exactly on a row the next run continues
 * after). A pass ended here is not exhausted: rows may remain, as after `--max-chunks`.
 */
export type PageGate = (chunk: number) => boolean;

export function pageGate(plan: ExtractPlan, stopAtPageBoundary?: () => boolean): PageGate {
  return (chunk) => {
    if (plan.maxChunks != null && chunk >= plan.maxChunks) return false;
    return chunk === 0 || stopAtPageBoundary === undefined || !stopAtPageBoundary();
  };
}
