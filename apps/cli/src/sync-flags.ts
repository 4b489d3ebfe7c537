import {
  columnEncodings,
  columnNames,
  durationInMilliseconds,
  type FlagParser,
  keyValuePairs,
  oneOf,
  positiveWholeNumber,
  reconcileCadence,
  secondsAtLeastZero,
  sortKeyColumns,
  wholeNumberAtLeastZero,
} from "./flag-parsers.js";
import type { ReconcileFlags } from "./reconcile-options.js";
import type { RetryFlags } from "./retry-options.js";
import type { WatchFlags } from "./run-watch.js";
import type { TunnelFlags } from "./source-tunnel.js";
import type { TargetTunnelFlags } from "./target-tunnel.js";

/**
 * `sync` as commander hands it over, every value already parsed (sync-flag-parsers
 * below); pipeline files fill the same fields with the same types (pipeline-run-plan.ts).
 */
export interface SyncFlags extends ReconcileFlags, TunnelFlags, TargetTunnelFlags, RetryFlags, WatchFlags {
  /** Repeatable; a glob with -p (`-t 'shop.*'`). */
  table?: string[];
  pipeline?: string;
  parallel?: number;
  maxWorkers?: number;
  scheduling?: "sequential" | "inter-table";
  copyOption?: string[];
  jsonOutput?: boolean;
  source?: string;
  lake?: string;
  target?: string;
  targetSchema?: string;
  targetName?: string;
  distStyle?: "auto" | "even" | "key" | "all";
  distKey?: string;
  sortKey?: readonly string[] | "auto";
  sortStyle?: "compound" | "interleaved";
  encode?: Readonly<Record<string, string>>;
  iamRole?: string;
  backupOnly?: boolean;
  redshiftOnly?: boolean;
  limit?: number;
  dryRun?: boolean;
  /** With --dry-run: rows, bytes, files and time the run would take (sync-estimate.ts). */
  estimate?: boolean;
  strategy?: string;
  strategyModule?: string[];
  strategyOption?: Record<string, string>;
  maxChunks?: number;
  /** The extraction's time budget in milliseconds (`--max-duration`, `max_duration`). */
  maxDuration?: number;
  /** Connections (worker threads) reading an initial snapshot's key ranges at once. */
  snapshotConnections?: number;
  nullCursor?: "skip" | "oldest";
  /** `--no-initial-snapshot` sets it false. */
  initialSnapshot?: boolean;
  safetyLagSeconds?: number;
  force?: boolean;
  cursorColumn?: string;
  rowsPerFile?: number;
  pageSize?: number;
  wideDecimals?: "fail" | "text";
  oversizeText?: "fail" | "truncate";
  invalidDates?: "null" | "fail";
  nulInText?: "fail" | "strip" | "replace";
  /** Minutes. */
  leaseTimeout?: number;
  verifyData?: boolean;
  writeMode?: "merge" | "append" | "replace";
  latestViewKey?: readonly string[];
  latestViewOrder?: string;
  latestViewName?: string;
  verifyRowsPerRange?: number;
  since?: Date;
  json?: boolean;
  verbose?: boolean;
}

/** A parser for one field of {@link SyncFlags}, named by the flag or file key it reads. */
export type SyncFlagParsers = {
  readonly [K in keyof SyncFlags]?: (name: string) => FlagParser<SyncFlags[K]>;
};

/**
 * The parser of every per-table `sync` flag whose text is more than a word: commander
 * runs it on the command line (sync-command.ts), and a pipeline file's value of the
 * same setting, which the file schema hands over as that flag's text, goes through it
 * too (pipeline-file-settings.ts). One parser per setting, so both are refused alike.
 * Flags without an entry are text, switches or `choices` (the file schema checks those
 * with the same words).
 */
export const syncFlagParsers = {
  limit: positiveWholeNumber,
  maxChunks: positiveWholeNumber,
  maxDuration: durationInMilliseconds,
  snapshotConnections: positiveWholeNumber,
  pageSize: positiveWholeNumber,
  rowsPerFile: positiveWholeNumber,
  leaseTimeout: positiveWholeNumber,
  verifyRowsPerRange: positiveWholeNumber,
  safetyLagSeconds: secondsAtLeastZero,
  strategyOption: keyValuePairs,
  latestViewKey: columnNames,
  distStyle: (name) => oneOf(name, ["auto", "even", "key", "all"]),
  sortKey: sortKeyColumns,
  sortStyle: (name) => oneOf(name, ["compound", "interleaved"]),
  encode: columnEncodings,
  reconcileDeletes: reconcileCadence,
  reconcileMaxDeletes: wholeNumberAtLeastZero,
} as const satisfies SyncFlagParsers;
