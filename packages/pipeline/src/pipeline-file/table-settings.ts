import { z } from "zod";

/**
 * Every per-table setting a pipeline file can hold, each the twin of a `sluice sync`
 * flag: the file key is the flag's name in snake_case (`target_schema` is
 * `--target-schema`). One catalog drives the file schema, `sluice config` and the
 * docs, so a flag and its file key cannot drift apart.
 *
 * Values are normalised to the flag's text form (`sort_key: [a, b]` becomes "a,b"),
 * so the CLI checks a value from the file and one from the command line with the same
 * code and the same message.
 */
export interface TableSettingSpec {
  /** The `sync` flag without its dashes, e.g. `target-schema`. */
  readonly flag: string;
  readonly schema: z.ZodType<FlagValue>;
  readonly help: string;
}

/** A setting in the form commander hands the CLI: text, a switch, or a repeated flag's values. */
export type FlagValue = string | boolean | readonly string[];

const positiveWhole = z
  .union([z.number().int().positive(), z.string().regex(/^[1-9][0-9]*$/, "a whole number > 0")])
  .transform(String);
const wholeOrZero = z
  .union([z.number().int().nonnegative(), z.string().regex(/^[0-9]+$/, "a whole number >= 0")])
  .transform(String);
const seconds = z
  .union([z.number().nonnegative(), z.string().regex(/^[0-9]+(\.[0-9]+)?$/, "a number of seconds >= 0")])
  .transform(String);
/** A time budget: whole seconds (`90`), or a whole number followed by s, m or h (`90s`, `15m`, `2h`). */
const duration = z
  .union([
    z.number().int().positive(),
    z
      .string()
      .regex(
        /^\s*[1-9][0-9]*\s*[smh]?\s*$/,
        "seconds (90), or a number followed by s, m or h (90s, 15m, 2h)",
      ),
  ])
  .transform(String);
const text = z.string().trim().min(1, "must not be empty");
const choice = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values).transform((value): string => value);
/** A list of columns, written as a YAML list or as `a, b`. */
const columnList = z
  .union([z.array(text).min(1), text])
  .transform((value) => (Array.isArray(value) ? value.join(",") : value));
/** true/false, also as text (a value from `${VAR}` is text). */
export const flagSwitch = z.union([
  z.boolean(),
  z.enum(["true", "false"]).transform((value) => value === "true"),
]);

export const tableSettings = {
  strategy: {
    flag: "strategy",
    schema: text,
    help: "CDC strategy: hybrid (default), timestamp, id, full, or a custom one",
  },
  cursor_column: { flag: "cursor-column", schema: text, help: "update-timestamp column (default: detected)" },
  strategy_options: {
    flag: "strategy-option",
    schema: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .transform((pairs): readonly string[] =>
        Object.entries(pairs).map(([key, value]) => `${key}=${String(value)}`),
      ),
    help: "settings handed to the strategy (a map)",
  },
  initial_snapshot: {
    flag: "initial-snapshot",
    schema: flagSwitch,
    help: "false: read a new table in cursor order instead of a primary-key snapshot",
  },
  null_cursor: { flag: "null-cursor", schema: choice(["skip", "oldest"]), help: "rows with a NULL cursor" },
  safety_lag_seconds: {
    flag: "safety-lag-seconds",
    schema: seconds,
    help: "keep the ceiling this far below the source clock",
  },
  force: { flag: "force", schema: flagSwitch, help: "extract a large table without a fitting index" },
  limit: { flag: "limit", schema: positiveWhole, help: "rows extracted per run at most" },
  max_chunks: { flag: "max-chunks", schema: positiveWhole, help: "page queries per run at most" },
  max_duration: {
    flag: "max-duration",
    schema: duration,
    help: "time budget per run: extraction stops at the next page boundary once spent (90 = seconds, 90s, 15m, 2h)",
  },
  snapshot_connections: {
    flag: "snapshot-connections",
    schema: positiveWhole,
    help: "connections reading a new table's initial snapshot in key ranges at once",
  },
  page_size: { flag: "page-size", schema: positiveWhole, help: "rows per keyset query (default 50000)" },
  rows_per_file: {
    flag: "rows-per-file",
    schema: positiveWhole,
    help: "rows per Parquet file (default 1000000)",
  },
  lease_timeout: {
    flag: "lease-timeout",
    schema: positiveWhole,
    help: "minutes after which an unrenewed lease is taken over (default 15)",
  },
  wide_decimals: {
    flag: "wide-decimals",
    schema: choice(["fail", "text"]),
    help: "DECIMAL above 38 digits",
  },
  oversize_text: {
    flag: "oversize-text",
    schema: choice(["fail", "truncate"]),
    help: "Redshift: text above 65535 bytes",
  },
  invalid_dates: {
    flag: "invalid-dates",
    schema: choice(["null", "fail"]),
    help: "zero or impossible dates",
  },
  nul_in_text: {
    flag: "nul-in-text",
    schema: choice(["fail", "strip", "replace"]),
    help: "U+0000 (NUL) in text, which no warehouse takes: fail, strip or replace (U+FFFD)",
  },
  target_schema: {
    flag: "target-schema",
    schema: text,
    help: "warehouse schema (default: source schema, lower case)",
  },
  target_name: {
    flag: "target-name",
    schema: text,
    help: "warehouse table (default: source table, lower case)",
  },
  write_mode: {
    flag: "write-mode",
    schema: choice(["merge", "append", "replace"]),
    help: "how runs land in the warehouse (default merge)",
  },
  latest_view_key: {
    flag: "latest-view-key",
    schema: columnList,
    help: "append tables: key of the latest view",
  },
  latest_view_order: {
    flag: "latest-view-order",
    schema: text,
    help: "append tables: column ordering versions",
  },
  latest_view_name: { flag: "latest-view-name", schema: text, help: "append tables: the latest view's name" },
  dist_style: {
    flag: "dist-style",
    schema: choice(["auto", "even", "key", "all"]),
    help: "Redshift DISTSTYLE",
  },
  dist_key: { flag: "dist-key", schema: text, help: "Redshift DISTKEY column" },
  sort_key: { flag: "sort-key", schema: columnList, help: "Redshift SORTKEY columns, or auto" },
  sort_style: {
    flag: "sort-style",
    schema: choice(["compound", "interleaved"]),
    help: "Redshift sort key style",
  },
  encode: {
    flag: "encode",
    schema: z.union([z.record(z.string(), text), text]).transform((value) =>
      typeof value === "string"
        ? value
        : Object.entries(value)
            .map(([column, encoding]) => `${column}=${encoding}`)
            .join(","),
    ),
    help: "Redshift column ENCODE (a map column: encoding)",
  },
  iam_role: { flag: "iam-role", schema: text, help: "Redshift: IAM role COPY assumes" },
  verify_data: { flag: "verify-data", schema: flagSwitch, help: "compare source and target after the load" },
  verify_rows_per_range: {
    flag: "verify-rows-per-range",
    schema: positiveWhole,
    help: "rows per compared key range",
  },
  reconcile_deletes: {
    flag: "reconcile-deletes",
    schema: z.union([text, z.literal(false).transform(() => "off")]),
    help: "delete reconciliation: off, every, or N-hours (24h)",
  },
  delete_mode: { flag: "delete-mode", schema: choice(["soft", "hard"]), help: "soft or hard deletes" },
  reconcile_max_deletes: {
    flag: "reconcile-max-deletes",
    schema: wholeOrZero,
    help: "stop a reconciliation finding more deletes than this",
  },
} as const satisfies Record<string, TableSettingSpec>;

export type TableSettingKey = keyof typeof tableSettings;

export const tableSettingKeys = Object.keys(tableSettings) as readonly TableSettingKey[];

/** Settings keyed by flag name (`target-schema`), in their flag text form. */
export type FlagSettings = Readonly<Record<string, FlagValue>>;
