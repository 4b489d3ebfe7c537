import { configError, type SluiceError, type TableRef } from "@sluice/core";
import type { Command } from "commander";
import { err, ok, type Result } from "neverthrow";
import type { CliIo } from "./cli-io.js";
import { type PlannedTable, planSyncRun } from "./pipeline-run-plan.js";
import type { SyncFlags } from "./sync-flags.js";

/** What a table command settles before it opens anything: its flags and the environment to read. */
export interface SettledTableCommand<F> {
  /** The command's own flags, with every setting the pipeline file gives laid under the typed ones. */
  readonly flags: F & SyncFlags;
  /** The environment with the file's connection extras (S3 region, keys) laid over. */
  readonly env: CliIo["env"];
  /** The tables the command works on (the pipeline's, or the `-t` ones). */
  readonly tables: readonly PlannedTable[];
  /** The pipeline's name, when `-p` was given. */
  readonly pipeline: string | null;
}

type TableCommandFlags = { pipeline?: string; table?: string | string[] };

/**
 * `-p P [-t T]` for the commands other than `sync` (watermark, validate-counts,
 * reconcile, s3clean, status, info): the same `planSyncRun` settles lake, source,
 * target, target schema/name and tunnels from the pipeline file, so an operator never
 * repeats what the file says; a flag typed on the command line still wins. Without
 * `-p` the flags are taken as they are (the command's behaviour before pipeline files).
 */
export async function settleTableCommand<F extends TableCommandFlags>(
  flags: F,
  command: Command,
  io: CliIo,
): Promise<Result<SettledTableCommand<F>, SluiceError>> {
  const names = flags.table === undefined ? [] : Array.isArray(flags.table) ? flags.table : [flags.table];
  const explicit = (key: keyof SyncFlags) => command.getOptionValueSource(key as string) === "cli";
  const asSync = { ...flags, table: names } as unknown as SyncFlags;
  if (!flags.pipeline) {
    if (names.length === 0)
      return ok({ flags: flags as F & SyncFlags, env: io.env, tables: [], pipeline: null });
    const plan = await planSyncRun(asSync, explicit, io);
    if (plan.isErr()) return err(plan.error);
    return ok({ flags: flags as F & SyncFlags, env: io.env, tables: plan.value.tables, pipeline: null });
  }
  const plan = await planSyncRun(asSync, explicit, io);
  if (plan.isErr()) return err(plan.error);
  const first = plan.value.tables[0];
  // The table's own settings (target_name, target schema, ...) when one table is meant;
  // the run-wide ones (connections) otherwise.
  const settled = plan.value.tables.length === 1 && first ? first.flags : plan.value.flags;
  return ok({
    flags: { ...flags, ...settled, table: flags.table, pipeline: flags.pipeline } as F & SyncFlags,
    env: plan.value.env,
    tables: plan.value.tables,
    pipeline: plan.value.pipeline?.name ?? null,
  });
}

/** A command about exactly one table: `-t` must name (or match) one table of the file. */
export function oneTable<F>(settled: SettledTableCommand<F>): Result<TableRef, SluiceError> {
  const [only, ...rest] = settled.tables;
  if (!only) return err(configError("name the table with -t schema.table"));
  if (rest.length > 0) {
    return err(
      configError(
        `-t matches ${settled.tables.length} tables of pipeline ${settled.pipeline}; this command works on one: name it exactly`,
      ),
    );
  }
  return ok(only.table);
}
