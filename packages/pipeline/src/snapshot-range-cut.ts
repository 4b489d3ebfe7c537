import type { ExtractPlan, SluiceError, SnapshotRange, Source, TableSpec } from "@sluice/core";
import { formatTableRef } from "@sluice/core";
import type { Err } from "neverthrow";

/**
 * Ranges per connection: more ranges than lanes, handed out as lanes free up, so a
 * lane that drew a sparse range (gaps in the keys) takes another instead of idling
 * while the others finish.
 */
const rangesPerLane = 4;

export interface SnapshotSplit {
  readonly ranges: readonly SnapshotRange[];
  /** Why the snapshot is read on one connection after all, for the run report. */
  readonly note?: string;
}

/**
 * The key ranges an initial snapshot is read in: the ranges in progress (the
 * watermark's, whatever `lanes` is now), or, for a snapshot on one connection so far
 * and `lanes` above 1, its remaining keys cut into `lanes x 4` ranges of equal width
 * of the key's leading integer column, between its smallest (or the snapshot's last
 * key) and largest values: index probes at the ends, where cutting by row counts would
 * scan the whole key. A single integer key is cut at those values; a composite key
 * whose leading column is an integer ends each range at the last real key tuple at or
 * below the cut (one more backward probe per range, `Source.lastKeyUpTo`): the rows of
 * one leading value may fall in two ranges, each row in exactly one.
 * Null: read as one range as before.
 */
export async function* snapshotSplit(
  source: Source,
  spec: TableSpec,
  plan: ExtractPlan,
  lanes: number,
): AsyncGenerator<Err<never, SluiceError>, SnapshotSplit | null> {
  const read = plan.snapshot;
  if (!read) return null;
  if (read.ranges) return { ranges: read.ranges };
  if (lanes <= 1) return null;
  const table = formatTableRef(spec.ref);
  const [keyName] = read.keyColumns;
  const key = spec.columns.find((column) => column.name === keyName);
  const composite = read.keyColumns.length > 1;
  const keyText = `(${read.keyColumns.join(", ")})`;
  if (key?.logical.kind !== "integer") {
    return {
      ranges: [],
      note: `${table}: --snapshot-connections cuts a snapshot by an integer primary key or a key that starts with one; the key ${keyText} is read on one connection`,
    };
  }
  if (composite && !source.lastKeyUpTo) {
    return {
      ranges: [],
      note: `${table}: this source cannot end key ranges at composite keys (it has no lastKeyUpTo); the key ${keyText} is read on one connection`,
    };
  }
  const largest = yield* source.maxKey(spec, read.keyColumns);
  const smallest = read.afterKey ? null : yield* source.minKey(spec, read.keyColumns);
  if (largest === null) return null;
  // Exclusive start: after the snapshot's last key, or just below the smallest key.
  const start = read.afterKey ? BigInt(read.afterKey[0] ?? "0") : BigInt(smallest?.[0] ?? "0") - 1n;
  const end = BigInt(largest[0] ?? "0");
  const width = end - start;
  const count = BigInt(Math.max(1, lanes * rangesPerLane));
  // A single key: ranges narrower than a page would cost a query each for a handful of
  // rows. A composite key: one leading value may hold any number of rows (a tenant, an
  // order), so the ranges are at least one leading value wide, never fewer for that.
  const widest = composite ? width : width / BigInt(plan.pageSize);
  const pieces = widest < count ? widest : count;
  if (pieces <= 1n) {
    return composite
      ? {
          ranges: [],
          note: `${table}: the rows left do not span two values of ${keyName}, the key's first column, which is as fine as --snapshot-connections cuts; read on one connection`,
        }
      : null;
  }
  const step = (width + pieces - 1n) / pieces;
  const ranges: SnapshotRange[] = [];
  let after: readonly string[] | null = read.afterKey ?? null;
  for (let index = 1n; index < pieces; index += 1n) {
    const through = start + step * index;
    if (through >= end) break;
    let throughKey: readonly string[] | null = [String(through)];
    if (composite && source.lastKeyUpTo) {
      // The last tuple at or below the cut, after the previous range's end: none means
      // no rows in this stretch of the key, and the next range takes over from `after`.
      throughKey = yield* source.lastKeyUpTo(spec, read.keyColumns, after, String(through));
      if (throughKey === null) continue;
    }
    ranges.push({ afterKey: after, throughKey });
    after = throughKey;
  }
  // The last range stays open: it ends where the table ends, whatever that is then.
  ranges.push({ afterKey: after, throughKey: null });
  if (ranges.length <= 1) return null;
  return { ranges };
}
