// A custom sluice CDC strategy: the built-in `hybrid` keyset, started a look-back
// window before the watermark on every run. Copy this file into your own package
// (see docs/custom-strategy.md), then:
//
//   sluice sync -t shop.orders --strategy-module ./lookback-strategy.mjs \
//     --strategy hybrid-lookback --strategy-option lookback-minutes=30 ...
//
// Why: sluice's ceiling protects rows stamped by the server (CURRENT_TIMESTAMP) from
// late commits, but an application that computes `updated_at` itself and commits it
// minutes later can still land behind a watermark. Re-reading the last N minutes on
// every run picks such rows up; the warehouse merge de-duplicates what is read twice.
import { hybridKeysetStrategy } from "@sluice/cdc-strategies";
import { err, ok } from "neverthrow";

const name = "hybrid-lookback";

/** @type {import("@sluice/cdc-strategies").CdcStrategy} */
export const strategy = {
  name,
  description:
    "hybrid keyset that re-reads a look-back window (--strategy-option lookback-minutes=N, default 10)",
  // The plan bounds a clock cursor: the pipeline captures the ceiling (NOW() below
  // open transactions and the safety lag) and calls plan() again with it.
  needsCeiling: true,
  plan(input) {
    const minutes = Number(input.settings?.["lookback-minutes"] ?? "10");
    if (!Number.isInteger(minutes) || minutes < 0) {
      // Errors are plain SluiceError objects: a kind, retryable, and a message that
      // names the table, the value and the fix.
      return err({
        kind: "config",
        retryable: false,
        message: `${input.spec.ref.schema}.${input.spec.ref.table}: --strategy-option lookback-minutes=${input.settings?.["lookback-minutes"]} is not a whole number of minutes >= 0`,
      });
    }
    const base = hybridKeysetStrategy.plan(input);
    if (base.isErr()) return base;
    const plan = { ...base.value, strategy: name };
    const after = plan.after;
    // A first run (or a position inside the NULL group) has nothing to rewind.
    if (after === null || after.cursorValue === null || minutes === 0) return ok(plan);
    const rewound = minutesBefore(after.cursorValue, minutes);
    if (rewound === null) return ok(plan); // a DATE or numeric cursor: keep the exact position
    // Resume after (cursor - N minutes, smallest key): every row stamped in the window
    // is read again. Keys compare after the cursor, so an empty key tuple cannot be
    // expressed; the position keeps the stored keys, which skips at most rows stamped
    // exactly at the window's first instant with a smaller key than the watermark's.
    return ok({ ...plan, after: { cursorValue: rewound, keyValues: after.keyValues } });
  },
  // advance() is omitted: the watermark lands on the last row taken (defaultAdvance).
};

/**
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` minus whole minutes, keeping the fractional digits.
 * DATETIME/TIMESTAMP text is a wall-clock value in the cursor's own clock, so the
 * arithmetic is done as if it were UTC: no zone, no daylight-saving jumps.
 */
function minutesBefore(text, minutes) {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(text);
  if (!match) return null;
  const instant = Date.parse(`${match[1]}T${match[2]}Z`) - minutes * 60_000;
  const whole = new Date(instant).toISOString().slice(0, 19).replace("T", " ");
  return `${whole}${match[3] ?? ""}`;
}

export default strategy;
