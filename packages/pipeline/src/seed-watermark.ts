import { configError, type SluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";

/**
 * The state a watermark document of the system sluice replaces (the "S3 to Redshift
 * Backup System") holds, in the two shapes its manual documents: the flat legacy form
 * (`last_mysql_data_timestamp`, `last_processed_id`, `mysql_status`,
 * `mysql_rows_extracted`, `redshift_status`, `redshift_rows_loaded`, `backup_strategy`,
 * `processed_s3_files`) and the nested v2.0 form (`mysql_state`, `s3_state`,
 * `redshift_state`). Its users switch over by importing it once.
 */
export interface SeedWatermark {
  readonly shape: "legacy" | "v2";
  /** Cursor value as MySQL prints it (`YYYY-MM-DD HH:MM:SS[.ffffff]`), or null (id-only). */
  readonly timestamp: string | null;
  /** The last key the seed processed, as text; null when it kept none. */
  readonly lastId: string | null;
  /** Rows extracted in all (v2 `mysql_state.total_rows`; legacy: its only count). */
  readonly extractedRows: number | null;
  readonly loadedRows: number | null;
  readonly extractStatus: string | null;
  readonly loadStatus: string | null;
  /** Files the seed recorded as loaded: sluice does not track them (it loads its own runs). */
  readonly processedFiles: number;
  readonly strategy: string | null;
}

const count = z.number().int().nonnegative().nullish();
const id = z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).nullish();
const files = z.array(z.string()).nullish();

const legacySchema = z.looseObject({
  last_mysql_data_timestamp: z.string().nullish(),
  last_processed_id: id,
  mysql_status: z.string().nullish(),
  mysql_rows_extracted: count,
  redshift_status: z.string().nullish(),
  redshift_rows_loaded: count,
  backup_strategy: z.string().nullish(),
  processed_s3_files: files,
  processed_files: files,
});

const v2Schema = z.looseObject({
  last_mysql_data_timestamp: z.string().nullish(),
  last_processed_id: id,
  mysql_state: z.looseObject({
    status: z.string().nullish(),
    total_rows: count,
    last_session_rows: count,
  }),
  s3_state: z.looseObject({ processed_s3_files: files, backup_s3_files: files }).nullish(),
  redshift_state: z.looseObject({ status: z.string().nullish(), rows_loaded: count }).nullish(),
  backup_strategy: z.string().nullish(),
});

/** Parses a seed watermark document; `origin` names it in messages. */
export function parseSeedWatermark(text: string, origin: string): Result<SeedWatermark, SluiceError> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (thrown) {
    return err(
      configError(`${origin} is not JSON (${String(thrown)}); pass the seed's watermark .json file`),
    );
  }
  const isV2 = typeof json === "object" && json !== null && "mysql_state" in json;
  const parsed = isV2 ? v2Schema.safeParse(json) : legacySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return err(
      configError(
        `${origin} is not a watermark of the S3 to Redshift Backup System: ${issue?.path.join(".") || "document"} ${issue?.message ?? "is invalid"}; pass its per-table watermark JSON`,
      ),
    );
  }
  const timestamp = seedTimestamp(parsed.data.last_mysql_data_timestamp ?? null, origin);
  if (timestamp.isErr()) return err(timestamp.error);
  const lastId = parsed.data.last_processed_id;
  const base = {
    timestamp: timestamp.value,
    lastId: lastId === null || lastId === undefined ? null : String(lastId),
    strategy: parsed.data.backup_strategy ?? null,
  };
  if (timestamp.value === null && base.lastId === null) {
    return err(
      configError(
        `${origin} holds neither last_mysql_data_timestamp nor last_processed_id: there is no position to import; start sluice from the beginning instead`,
      ),
    );
  }
  if (isV2) {
    const v2 = parsed.data as z.infer<typeof v2Schema>;
    return ok({
      ...base,
      shape: "v2",
      extractedRows: v2.mysql_state.total_rows ?? null,
      loadedRows: v2.redshift_state?.rows_loaded ?? null,
      extractStatus: v2.mysql_state.status ?? null,
      loadStatus: v2.redshift_state?.status ?? null,
      processedFiles: v2.s3_state?.processed_s3_files?.length ?? 0,
    });
  }
  const legacy = parsed.data as z.infer<typeof legacySchema>;
  return ok({
    ...base,
    shape: "legacy",
    extractedRows: legacy.mysql_rows_extracted ?? null,
    loadedRows: legacy.redshift_rows_loaded ?? null,
    extractStatus: legacy.mysql_status ?? null,
    loadStatus: legacy.redshift_status ?? null,
    processedFiles: (legacy.processed_s3_files ?? legacy.processed_files ?? []).length,
  });
}

/**
 * The seed wrote `2025-08-25 10:30:00` or ISO `2025-11-27T15:30:00Z` (UTC). sluice's
 * cursor values are MySQL's text; other offsets than UTC are refused rather than
 * guessed, since a shifted watermark silently skips or repeats rows.
 */
function seedTimestamp(text: string | null, origin: string): Result<string | null, SluiceError> {
  if (text === null || text.trim() === "") return ok(null);
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,6})?(Z|[+-]00:?00)?$/.exec(text.trim());
  if (!match) {
    return err(
      configError(
        `${origin}: last_mysql_data_timestamp "${text}" is not a UTC date-time; convert it to 'YYYY-MM-DD HH:MM:SS' in UTC and use sluice watermark set instead`,
      ),
    );
  }
  const [, date, time, fraction] = match;
  return ok(`${date} ${time}${fraction ?? ""}`);
}
