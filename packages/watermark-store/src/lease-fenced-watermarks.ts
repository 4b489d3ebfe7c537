import type { RunLease } from "./run-lease.js";
import type { WatermarkStore } from "./watermark-store.js";

/**
 * The watermark store a leased run writes through: every write first renews the
 * lease, so a run whose lease was taken over (it stalled past the timeout and
 * another run took the table) fails with `conflict` instead of committing state
 * over the newer run's. Reads pass straight through.
 */
export function fenceWithLease(watermarks: WatermarkStore, lease: RunLease): WatermarkStore {
  return {
    ...watermarks,
    recordExtract: (...args) => lease.renew().andThen(() => watermarks.recordExtract(...args)),
    recordLoad: (...args) => lease.renew().andThen(() => watermarks.recordLoad(...args)),
    rewindExtract: (...args) => lease.renew().andThen(() => watermarks.rewindExtract(...args)),
    set: (...args) => lease.renew().andThen(() => watermarks.set(...args)),
    reset: (...args) => lease.renew().andThen(() => watermarks.reset(...args)),
    setCount: (...args) => lease.renew().andThen(() => watermarks.setCount(...args)),
    recordReconcile: (...args) => lease.renew().andThen(() => watermarks.recordReconcile(...args)),
  };
}
