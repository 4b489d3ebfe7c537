import {
  type FlagValue,
  type PipelineFile,
  type TableSettingKey,
  tableSettingKeys,
  tableSettings,
} from "@sluice/pipeline";
import { InvalidArgumentError } from "commander";
import type { FlagParser } from "./flag-parsers.js";
import type { Provenance } from "./pipeline-run-plan.js";
import { type SyncFlags, syncFlagParsers } from "./sync-flags.js";

/** A value of one {@link SyncFlags} field. */
export type SyncFlagValue = NonNullable<SyncFlags[keyof SyncFlags]>;

/** One layer of per-table settings from a pipeline file, typed as the flags are. */
export interface FileSettingsLayer {
  readonly flags: Readonly<Record<string, SyncFlagValue>>;
  readonly provenance: ReadonlyMap<string, Provenance>;
  /** `file:line:col: tables.2.encode must be ..., got "..."`, one per refused value. */
  readonly problems: readonly string[];
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * `defaults:` or one `tables:` entry (`at` is its path in the file) into `SyncFlags`
 * fields. The file schema hands each setting over as its flag's text (table-settings.ts
 * in @sluice/pipeline); the text goes through the flag's own parser (`syncFlagParsers`),
 * named by its file key, so a bad value is refused with the rule the flag has, and
 * with where it is written instead of a flag the operator never typed.
 */
export function fileSettingsLayer(
  pipeline: PipelineFile,
  settings: Partial<Record<TableSettingKey, unknown>> | undefined,
  at: readonly (string | number)[],
): FileSettingsLayer {
  const flags: Record<string, SyncFlagValue> = {};
  const provenance = new Map<string, Provenance>();
  const problems: string[] = [];
  for (const key of tableSettingKeys) {
    const value = settings?.[key] as FlagValue | undefined;
    if (value === undefined) continue;
    const path = [...at, key];
    const name = camel(tableSettings[key].flag);
    const parser = (syncFlagParsers as Record<string, ((label: string) => FlagParser<unknown>) | undefined>)[
      name
    ]?.(path.join("."));
    try {
      flags[name] = (parser ? parse(parser, value) : value) as SyncFlagValue;
      provenance.set(name, { source: "file", detail: pipeline.locate(path) });
    } catch (thrown) {
      if (!(thrown instanceof InvalidArgumentError)) throw thrown;
      problems.push(`${pipeline.locate(path)}: ${thrown.message}`);
    }
  }
  return { flags, provenance, problems };
}

/** A list (`strategy_options` as `key=value` items) is read as the repeated flag would be. */
function parse(parser: FlagParser<unknown>, value: FlagValue): unknown {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") return parser(value, undefined);
  return value.reduce<unknown>((previous, item) => parser(item, previous), undefined);
}
