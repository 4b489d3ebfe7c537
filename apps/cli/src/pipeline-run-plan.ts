import { dirname, isAbsolute, resolve } from "node:path";
import { configError, formatTableRef, parseTableRef, type SluiceError, type TableRef } from "@sluice/core";
import {
  type FlagValue,
  loadPipelineFile,
  type PipelineFile,
  type PipelineTableEntry,
  pipelineFilePath,
  selectTables,
  type TableSettingKey,
  tableSettings,
} from "@sluice/pipeline";
import { err, ok, type Result } from "neverthrow";
import type { CliIo } from "./cli-io.js";
import { connectionSettingsFromFile } from "./pipeline-connections.js";
import type { SyncFlags } from "./sync-flags.js";

/** Where a setting's value came from, for `sluice config` and error messages. */
export interface Provenance {
  readonly source: "flag" | "file" | "env" | "default";
  /** `--page-size`, `pipelines/x.yml:12:5`, `SLUICE_SOURCE_URL`. */
  readonly detail: string;
}

export interface PlannedTable {
  readonly table: TableRef;
  /** The command line laid over the file's defaults and the table's own entry. */
  readonly flags: SyncFlags;
  readonly provenance: ReadonlyMap<string, Provenance>;
  readonly dependsOn: readonly string[];
}

export interface RunPlan {
  readonly pipeline: PipelineFile | null;
  readonly tables: readonly PlannedTable[];
  /** Tables run at once. */
  readonly parallel: number;
  /** Connection and run-wide settings (the same for every table). */
  readonly flags: SyncFlags;
  readonly provenance: ReadonlyMap<string, Provenance>;
  /** The environment with the file's connection extras (S3 region, key passphrases) laid over. */
  readonly env: CliIo["env"];
  readonly warnings: readonly string[];
}

/** `--no-initial-snapshot` and friends: commander fills defaults we must not take for choices. */
export type ExplicitFlag = (key: keyof SyncFlags) => boolean;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * Settles every setting of every table a `sync` will run: flags win over the table's
 * entry, which wins over the file's `defaults:`, which win over the environment and
 * built-in defaults. Without `-p`, the flags alone (one or more `-t`).
 */
export async function planSyncRun(
  flags: SyncFlags,
  explicit: ExplicitFlag,
  io: CliIo,
): Promise<Result<RunPlan, SluiceError>> {
  const commandLine = explicitFlags(flags, explicit);
  const parallelFlag = parseParallel(flags);
  if (parallelFlag instanceof Error) return err(configError(parallelFlag.message));
  if (!flags.pipeline) {
    const names = flags.table ?? [];
    if (names.length === 0) {
      return err(
        configError("name the tables: -t schema.table (repeatable), or -p <pipeline> for a pipeline file"),
      );
    }
    const tables: PlannedTable[] = [];
    for (const name of names) {
      if (/[*?]/.test(name)) {
        return err(configError(`-t ${name}: globs select tables from a pipeline file; add -p <pipeline>`));
      }
      const table = parseTableRef(name);
      if (table.isErr()) return err(table.error);
      tables.push({ table: table.value, flags, provenance: flagProvenance(commandLine), dependsOn: [] });
    }
    return ok({
      pipeline: null,
      tables,
      parallel: parallelFlag ?? 1,
      flags,
      provenance: flagProvenance(commandLine),
      env: io.env,
      warnings: [],
    });
  }
  const path = pipelineFilePath(flags.pipeline, io.cwd ?? process.cwd());
  const loaded = await loadPipelineFile(path, io.env);
  if (loaded.isErr()) return err(loaded.error);
  const pipeline = loaded.value;
  const selected = selectTables(pipeline.content.tables, flags.table ?? [], pipeline.path);
  if (selected.isErr()) return err(selected.error);

  const fromFile = connectionSettingsFromFile(pipeline);
  if (fromFile.isErr()) return err(fromFile.error);
  const runWide: Record<string, FlagValue> = { ...fromFile.value.flags };
  const runProvenance = new Map<string, Provenance>(fromFile.value.provenance);
  const retry = pipeline.content.retry;
  const retryFields: [keyof NonNullable<typeof retry>, string][] = [
    ["attempts", "retryAttempts"],
    ["base_delay_ms", "retryBaseDelayMs"],
    ["max_delay_ms", "retryMaxDelayMs"],
  ];
  for (const [field, key] of retryFields) {
    const value = retry?.[field];
    if (value === undefined) continue;
    runWide[key] = String(value);
    runProvenance.set(key, { source: "file", detail: pipeline.locate(["retry", field]) });
  }
  if (pipeline.content.strategy_modules) {
    const base = dirname(pipeline.path);
    runWide.strategyModule = pipeline.content.strategy_modules.map((module) =>
      module.startsWith(".") && !isAbsolute(module) ? resolve(base, module) : module,
    );
    runProvenance.set("strategyModule", { source: "file", detail: pipeline.locate(["strategy_modules"]) });
  }
  for (const [key, value] of Object.entries(commandLine)) {
    runWide[key] = value;
    runProvenance.set(key, { source: "flag", detail: `--${kebab(key)}` });
  }
  const runFlags = { ...runWide } as SyncFlags;

  const tables: PlannedTable[] = [];
  for (const entry of selected.value) {
    const table = parseTableRef(entry.table);
    if (table.isErr()) return err(configError(`${pipeline.locate(["tables"])}: ${table.error.message}`));
    const index = pipeline.content.tables.indexOf(entry);
    const merged: Record<string, FlagValue> = {};
    const provenance = new Map<string, Provenance>();
    const layer = (
      settings: Partial<Record<TableSettingKey, unknown>> | undefined,
      at: (string | number)[],
    ) => {
      if (!settings) return;
      for (const key of Object.keys(tableSettings) as TableSettingKey[]) {
        const value = settings[key];
        if (value === undefined) continue;
        const name = camel(tableSettings[key].flag);
        merged[name] = value as FlagValue;
        provenance.set(name, { source: "file", detail: pipeline.locate([...at, key]) });
      }
    };
    layer(pipeline.content.defaults, ["defaults"]);
    layer(entry, ["tables", index]);
    const flagsForTable = { ...runWide, ...merged, ...commandLine } as SyncFlags;
    for (const [key, value] of runProvenance)
      if (!provenance.has(key) || key in commandLine) provenance.set(key, value);
    tables.push({ table: table.value, flags: flagsForTable, provenance, dependsOn: entry.depends_on ?? [] });
  }
  const scheduled =
    flags.scheduling === "sequential"
      ? 1
      : (parallelFlag ?? pipeline.content.parallel ?? (flags.scheduling === "inter-table" ? 4 : 1));
  return ok({
    pipeline,
    tables,
    parallel: scheduled,
    flags: runFlags,
    provenance: runProvenance,
    env: { ...io.env, ...fromFile.value.env },
    warnings: pipeline.warnings,
  });
}

/** The flags the operator typed: these win over everything in the file. */
function explicitFlags(flags: SyncFlags, explicit: ExplicitFlag): Record<string, FlagValue> {
  const typed: Record<string, FlagValue> = {};
  const runOnly = new Set(["table", "pipeline", "parallel", "maxWorkers", "scheduling"]);
  for (const [key, value] of Object.entries(flags)) {
    if (runOnly.has(key) || value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (!explicit(key as keyof SyncFlags)) continue;
    typed[key] = value as FlagValue;
  }
  return typed;
}

function flagProvenance(typed: Record<string, FlagValue>): Map<string, Provenance> {
  return new Map(Object.keys(typed).map((key) => [key, { source: "flag", detail: `--${kebab(key)}` }]));
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function parseParallel(flags: SyncFlags): number | undefined | Error {
  const given: [string, string | undefined][] = [
    ["--parallel", flags.parallel],
    ["--max-workers", flags.maxWorkers],
  ];
  for (const [flag, text] of given) {
    if (text === undefined) continue;
    if (!/^[1-9][0-9]*$/.test(text.trim()) || Number(text) > 64) {
      return new Error(`${flag} must be a whole number from 1 to 64, got "${text}"`);
    }
    if (flags.scheduling === "sequential" && Number(text) !== 1) {
      return new Error(`-s sequential runs one table at a time; it contradicts ${flag} ${text}`);
    }
    return Number(text);
  }
  return undefined;
}

export function tableLabel(planned: PlannedTable): string {
  return formatTableRef(planned.table);
}

export type { PipelineTableEntry };
