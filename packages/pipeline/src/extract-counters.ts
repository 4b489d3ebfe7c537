import type { CursorPosition, ExtractObserver } from "@sluice/core";

/**
 * What the source reports while it extracts (statements, NULL-cursor rows, whether the
 * plan's bounds were read to the end, where a snapshot ended): the run report and the
 * watermark advance read them once the rows are staged.
 */
export interface ExtractCounters {
  queries: number;
  nullCursorRows: number | null;
  exhausted: boolean;
  snapshotEnd: CursorPosition | null | undefined;
}

export function createExtractCounters(): { counters: ExtractCounters; observer: ExtractObserver } {
  const counters: ExtractCounters = {
    queries: 0,
    nullCursorRows: null,
    exhausted: false,
    snapshotEnd: undefined,
  };
  const observer: ExtractObserver = {
    query: () => {
      counters.queries += 1;
    },
    nullCursorRows: (count) => {
      counters.nullCursorRows = count;
    },
    exhausted: () => {
      counters.exhausted = true;
    },
    snapshotEnd: (position) => {
      counters.snapshotEnd = position;
    },
  };
  return { counters, observer };
}
