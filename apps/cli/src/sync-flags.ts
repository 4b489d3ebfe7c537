import type { ReconcileFlags } from "./reconcile-options.js";
import type { RetryFlags } from "./retry-options.js";
import type { WatchFlags } from "./run-watch.js";
import type { TunnelFlags } from "./source-tunnel.js";
import type { TargetTunnelFlags } from "./target-tunnel.js";

/** `sync` as commander hands it over; pipeline files fill the same fields (pipeline-run-plan.ts). */
export interface SyncFlags extends ReconcileFlags, TunnelFlags, TargetTunnelFlags, RetryFlags, WatchFlags {
  /** Repeatable; a glob with -p (`-t 'shop.*'`). */
  table?: string[];
  pipeline?: string;
  parallel?: string;
  maxWorkers?: string;
  scheduling?: "sequential" | "inter-table";
  copyOption?: string[];
  jsonOutput?: boolean;
  source?: string;
  lake?: string;
  target?: string;
  targetSchema?: string;
  targetName?: string;
  distStyle?: string;
  distKey?: string;
  sortKey?: string;
  sortStyle?: string;
  encode?: string;
  iamRole?: string;
  backupOnly?: boolean;
  redshiftOnly?: boolean;
  limit?: string;
  dryRun?: boolean;
  /** With --dry-run: rows, bytes, files and time the run would take (sync-estimate.ts). */
  estimate?: boolean;
  strategy?: string;
  strategyModule?: string[];
  strategyOption?: string[];
  maxChunks?: string;
  /** Milliseconds from commander's parser, or the text a pipeline file gives (`max_duration`). */
  maxDuration?: number | string;
  nullCursor?: "skip" | "oldest";
  /** `--no-initial-snapshot` sets it false. */
  initialSnapshot?: boolean;
  safetyLagSeconds?: string;
  force?: boolean;
  cursorColumn?: string;
  rowsPerFile?: string;
  pageSize?: string;
  wideDecimals?: "fail" | "text";
  oversizeText?: "fail" | "truncate";
  invalidDates?: "null" | "fail";
  nulInText?: "fail" | "strip" | "replace";
  leaseTimeout?: string;
  verifyData?: boolean;
  writeMode?: "merge" | "append" | "replace";
  latestViewKey?: string;
  latestViewOrder?: string;
  latestViewName?: string;
  verifyRowsPerRange?: string;
  since?: string;
  json?: boolean;
  verbose?: boolean;
}
