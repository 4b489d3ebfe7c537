import { z } from "zod";
import { flagSwitch, type TableSettingKey, tableSettings } from "./table-settings.js";

/**
 * The shape of `pipelines/<name>.yml` (docs/pipelines.md). Keys are snake_case; each
 * per-table key is the twin of a `sync` flag (table-settings.ts). Unknown keys are
 * refused, not ignored: a misspelt `write_mod: append` silently doing a merge is the
 * kind of surprise a pipeline file must not hold.
 */

const text = z.string().trim().min(1, "must not be empty");
const port = z.union([z.number().int().min(1).max(65535), z.string().regex(/^[0-9]{1,5}$/, "a port number")]);
/** A whole number in a range, also as digits (a value from `${VAR}` is text). */
const whole = (min: number, max: number) =>
  z
    .union([
      z.number(),
      z
        .string()
        .regex(/^[0-9]+$/, "a whole number")
        .transform(Number),
    ])
    .pipe(z.number().int().min(min).max(max));
/** Secrets and names may be all digits; YAML would make those numbers. */
const loose = z.union([z.string(), z.number()]).transform(String);

/** An SSH bastion in front of a database: flags `--ssh-bastion`, `--ssh-key`, `--ssh-host-key`. */
const sshBastion = z.strictObject({
  /** ssh://user@host:port */
  bastion: text,
  key_path: text,
  /** 'SHA256:...' or the known_hosts line 'ssh-ed25519 AAAA...' */
  host_key: text,
  /** Passphrase of the key: only from `${VAR}`, never literal (checked by `config`). */
  key_passphrase: text.optional(),
});

/** A URL, or its parts (what a `.env` of the replaced system holds). */
const databaseParts = {
  url: text.optional(),
  host: text.optional(),
  port: port.optional(),
  user: loose.optional(),
  password: loose.optional(),
  database: loose.optional(),
  ssh: sshBastion.optional(),
};

const source = z.strictObject(databaseParts);

const target = z.strictObject({
  ...databaseParts,
  /** `postgres` or `redshift` when the target is given by parts. */
  dialect: z.enum(["postgres", "redshift"]).optional(),
  /** Default target schema for every table (migrating: `public`). */
  schema: text.optional(),
  iam_role: text.optional(),
  /** Extra COPY options (only those valid with FORMAT AS PARQUET). */
  copy_options: z.array(text).optional(),
});

const lake = z.strictObject({
  /** s3://bucket/prefix or file:///path */
  url: text,
  region: text.optional(),
  /** S3-compatible endpoint (path-style addressing is then used). */
  endpoint: text.optional(),
  access_key_id: text.optional(),
  secret_access_key: text.optional(),
});

const retry = z.strictObject({
  attempts: whole(0, 100).optional(),
  base_delay_ms: whole(0, 3_600_000).optional(),
  max_delay_ms: whole(0, 3_600_000).optional(),
});

const settingShapes = Object.fromEntries(
  Object.entries(tableSettings).map(([key, spec]) => [key, spec.schema.optional()]),
) as { [K in TableSettingKey]: z.ZodOptional<(typeof tableSettings)[K]["schema"]> };

const tableEntry = z.strictObject({
  /** schema.table in MySQL */
  table: text.regex(/^[^.\s]+\.[^.\s]+$/, "schema.table (schema-qualified)"),
  /** false: listed but not run by `sync -p` (still reachable with -t). */
  enabled: flagSwitch.optional(),
  /** Tables whose run must finish first (used by the Airflow DAG). */
  depends_on: z.array(text).optional(),
  ...settingShapes,
});

export const pipelineFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  /** Defaults to the file name without `.yml`. */
  name: text.optional(),
  description: z.string().optional(),
  connections: z
    .strictObject({
      source: source.optional(),
      lake: lake.optional(),
      target: target.optional(),
    })
    .optional(),
  /** Tables run at once by `sync -p` (default 1: one after another). */
  parallel: whole(1, 64).optional(),
  log_level: z.enum(["debug", "info", "warn", "error"]).optional(),
  retry: retry.optional(),
  /** Modules with custom CDC strategies (paths relative to the file, or package names). */
  strategy_modules: z.array(text).optional(),
  defaults: z.strictObject(settingShapes).optional(),
  tables: z
    // `- shop.orders` is short for `- table: shop.orders`; a preprocess (not a union)
    // keeps zod's messages pointing at the bad key inside the entry.
    .array(z.preprocess((entry) => (typeof entry === "string" ? { table: entry } : entry), tableEntry))
    .min(1, "list at least one table"),
});

export type PipelineFileContent = z.output<typeof pipelineFileSchema>;
export type PipelineTableEntry = PipelineFileContent["tables"][number];
export type SourceConnectionEntry = NonNullable<NonNullable<PipelineFileContent["connections"]>["source"]>;
export type TargetConnectionEntry = NonNullable<NonNullable<PipelineFileContent["connections"]>["target"]>;
export type LakeConnectionEntry = NonNullable<NonNullable<PipelineFileContent["connections"]>["lake"]>;
export type SshBastionEntry = z.output<typeof sshBastion>;
