import type { KeyDigest, KeyInterval, KeyPart, SluiceError, SourceKey } from "@sluice/core";
import { keyText } from "@sluice/core";
import { type Err, err, ok, type ResultAsync } from "neverthrow";
import { runSteps } from "./result-steps.js";

/** What the comparison asks of the source (connectors' `SourceKeyDigests`). */
export interface SourceKeySide {
  digest(intervals: readonly KeyInterval[]): ResultAsync<KeyDigest[], SluiceError>;
  split(intervals: readonly KeyInterval[], parts: number): ResultAsync<KeyPart[][], SluiceError>;
  keys(intervals: readonly KeyInterval[], limit: number): ResultAsync<SourceKey[][], SluiceError>;
  existing(keys: readonly (readonly string[])[]): ResultAsync<Set<string>, SluiceError>;
}

/** What the comparison asks of the target (redshift-loader's `WarehouseKeyReconciler`). */
export interface TargetKeySide {
  digest(intervals: readonly KeyInterval[]): ResultAsync<KeyDigest[], SluiceError>;
  keys(intervals: readonly KeyInterval[], limit: number): ResultAsync<string[][][], SluiceError>;
  existing(keys: readonly (readonly string[])[]): ResultAsync<Set<string>, SluiceError>;
}

export interface KeyComparisonSettings {
  /** Parts an interval is split into at each level; default 16. */
  readonly fanout?: number;
  /** An interval with at most this many source rows is compared key by key; default 512. */
  readonly leafRows?: number;
  /** Keys per page when one side of a leaf holds more than `leafRows`; default 10,000. */
  readonly pageRows?: number;
  /** Intervals per statement; default 32. */
  readonly intervalsPerStatement?: number;
  /** Stop (throw) once more target keys than this are found missing from the source. */
  readonly maxDeletes?: number;
  /** Builds the error thrown when `maxDeletes` is exceeded. */
  readonly tooManyDeletes?: (found: number) => SluiceError;
}

export interface KeyComparison {
  /** Target keys the source does not have: the deletes. */
  readonly deletes: readonly (readonly string[])[];
  /** Source keys at or below the watermark that the target lacks. */
  readonly missing: readonly (readonly string[])[];
  /** Source keys above the watermark (not extracted yet) that the target lacks: expected. */
  readonly pending: number;
  /** Intervals whose digests were compared on both sides. */
  readonly rangesCompared: number;
  /** Intervals that differed and were split further. */
  readonly rangesDrilled: number;
  /** Intervals compared key by key. */
  readonly leafRanges: number;
  /** Keys listed by both sides together in leaf intervals. */
  readonly keysListed: number;
}

interface Differing {
  readonly interval: KeyInterval;
  readonly source: KeyDigest;
}

const sameDigest = (a: KeyDigest, b: KeyDigest) => a.rows === b.rows && a.sum === b.sum;

/**
 * Finds the keys that differ between source and target with few statements: the
 * whole key range's digest first (equal: done, two statements); else the differing
 * ranges are split on the source into `fanout` parts at sampled keys, the target
 * digests the same parts, and only parts that differ go on, level by level, all
 * intervals of a level in one statement per side. Ranges of at most `leafRows`
 * source rows are compared key by key, and every candidate is then checked by a
 * point lookup on the other side, so a key is never judged by range membership alone.
 * Statements grow with the depth (log base fanout of rows/leafRows) and the number
 * of differing ranges, not with the table size.
 */
export function compareKeys(
  source: SourceKeySide,
  target: TargetKeySide,
  settings: KeyComparisonSettings = {},
): ResultAsync<KeyComparison, SluiceError> {
  return runSteps("comparing source and target keys", async function* () {
    return ok(yield* compareKeysNow(source, target, settings));
  });
}

async function* compareKeysNow(
  source: SourceKeySide,
  target: TargetKeySide,
  settings: KeyComparisonSettings,
): AsyncGenerator<Err<never, SluiceError>, KeyComparison> {
  const fanout = settings.fanout ?? 16;
  const leafRows = settings.leafRows ?? 512;
  const pageRows = settings.pageRows ?? 10_000;
  const perStatement = settings.intervalsPerStatement ?? 32;
  const stats = { rangesCompared: 1, rangesDrilled: 0, leafRanges: 0, keysListed: 0 };
  const whole: KeyInterval = { after: null, through: null };
  const [sourceWhole] = yield* source.digest([whole]);
  const [targetWhole] = yield* target.digest([whole]);
  const empty = { deletes: [], missing: [], pending: 0, ...stats };
  if (!sourceWhole || !targetWhole || sameDigest(sourceWhole, targetWhole)) return empty;

  let level: Differing[] = [{ interval: whole, source: sourceWhole }];
  const leaves: KeyInterval[] = [];
  while (level.length > 0) {
    const next: Differing[] = [];
    const splitting = level.filter((range) => range.source.rows > leafRows);
    leaves.push(...level.filter((range) => range.source.rows <= leafRows).map((range) => range.interval));
    for (const batch of chunks(splitting, perStatement)) {
      const parts = (yield* source.split(
        batch.map((range) => range.interval),
        fanout,
      )).flat();
      stats.rangesDrilled += batch.length;
      for (const partBatch of chunks(parts, perStatement * fanout)) {
        const digests = yield* target.digest(partBatch.map((part) => part.interval));
        stats.rangesCompared += partBatch.length;
        partBatch.forEach((part, index) => {
          const theirs = digests[index];
          if (theirs && !sameDigest(part.digest, theirs))
            next.push({ interval: part.interval, source: part.digest });
        });
      }
    }
    level = next;
  }
  stats.leafRanges = leaves.length;

  // Key by key: candidates first, then each checked on the other side.
  const deleteCandidates: string[][] = [];
  const missingCandidates: string[][] = [];
  let pending = 0;
  for (const batch of chunks(leaves, perStatement)) {
    const sourceKeys = yield* listAll(
      batch,
      leafRows,
      pageRows,
      (intervals, limit) => source.keys(intervals, limit),
      (entry) => entry.key,
    );
    const targetKeys = yield* listAll(
      batch,
      leafRows,
      pageRows,
      (intervals, limit) => target.keys(intervals, limit),
      (key) => key,
    );
    batch.forEach((_, index) => {
      const mine = new Map((sourceKeys[index] ?? []).map((entry) => [keyText(entry.key), entry]));
      const theirs = new Set((targetKeys[index] ?? []).map(keyText));
      stats.keysListed += mine.size + theirs.size;
      for (const key of targetKeys[index] ?? []) {
        if (!mine.has(keyText(key))) deleteCandidates.push(key);
      }
      for (const [text, entry] of mine) {
        if (theirs.has(text)) continue;
        if (entry.extracted) missingCandidates.push([...entry.key]);
        else pending += 1;
      }
    });
    if (settings.maxDeletes !== undefined && deleteCandidates.length > settings.maxDeletes) {
      const stillThere = yield* source.existing(deleteCandidates);
      const found = deleteCandidates.filter((key) => !stillThere.has(keyText(key))).length;
      if (found > settings.maxDeletes && settings.tooManyDeletes)
        return yield* err(settings.tooManyDeletes(found));
    }
  }
  const inSource = deleteCandidates.length > 0 ? yield* source.existing(deleteCandidates) : new Set<string>();
  const deletes = deleteCandidates.filter((key) => !inSource.has(keyText(key)));
  if (settings.maxDeletes !== undefined && deletes.length > settings.maxDeletes && settings.tooManyDeletes) {
    return yield* err(settings.tooManyDeletes(deletes.length));
  }
  const inTarget =
    missingCandidates.length > 0 ? yield* target.existing(missingCandidates) : new Set<string>();
  const missing = missingCandidates.filter((key) => !inTarget.has(keyText(key)));
  return { deletes, missing, pending, ...stats };
}

/**
 * Every key of each interval: one statement for the batch, then, for an interval that
 * had more than `limit` keys, pages of `pageRows` after its last key until it is done.
 */
async function* listAll<T>(
  intervals: readonly KeyInterval[],
  limit: number,
  pageRows: number,
  list: (intervals: readonly KeyInterval[], limit: number) => ResultAsync<T[][], SluiceError>,
  keyOf: (entry: T) => readonly string[],
): AsyncGenerator<Err<never, SluiceError>, T[][]> {
  const lists = yield* list(intervals, limit);
  for (const [index, interval] of intervals.entries()) {
    let entries = lists[index] ?? [];
    let pageLimit = limit;
    const all = [...entries];
    while (entries.length > pageLimit) {
      const last = entries[entries.length - 1] as T;
      pageLimit = pageRows;
      [entries = []] = yield* list([{ after: keyOf(last), through: interval.through }], pageLimit);
      all.push(...entries);
    }
    lists[index] = all;
  }
  return lists;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
