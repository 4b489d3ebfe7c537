import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import {
  currentWatermarkVersion,
  cursorPositionSchema,
  historyLimit,
  type WatermarkDocument,
  type WatermarkHistoryEntry,
  watermarkDocumentSchema,
} from "./watermark-document.js";

const instantSchema = z.iso.datetime({ offset: true });

// Version 1 as sluice wrote it until conditional writes arrived: no statuses,
// session counts, ceiling, override record or document timestamps.
const versionOneSchema = z.object({
  version: z.literal(1),
  table: z.string().min(1),
  revision: z.number().int().positive(),
  extract: z
    .object({
      strategy: z.string().min(1),
      cursorColumn: z.string().nullable(),
      position: cursorPositionSchema.nullable(),
      lastRunId: z.string(),
      manifestKey: z.string(),
      rowsTotal: z.number().int().nonnegative(),
      updatedAt: instantSchema,
    })
    .nullable(),
  load: z
    .object({ lastRunId: z.string(), loadedAt: instantSchema, rowsTotal: z.number().int().nonnegative() })
    .nullable(),
  history: z
    .array(
      z.object({
        at: instantSchema,
        event: z.enum(["extract", "load", "set", "reset"]),
        runId: z.string().nullable(),
        position: cursorPositionSchema.nullable(),
        rows: z.number().int().nonnegative(),
      }),
    )
    .max(historyLimit)
    .readonly(),
});

/**
 * Parses a stored watermark document of any known version into the current one.
 * Fails with the path and reason of the first problem (for the `watermark` error).
 */
export function migrateWatermarkDocument(json: unknown): Result<WatermarkDocument, string> {
  const version = (json as { version?: unknown } | null)?.version;
  if (version === 1) {
    const parsed = versionOneSchema.safeParse(json);
    return parsed.success ? ok(fromVersionOne(parsed.data)) : err(firstIssue(parsed.error));
  }
  if (version !== currentWatermarkVersion) {
    return err(`version: ${JSON.stringify(version)} is not a watermark format this sluice knows (1 or 2)`);
  }
  const parsed = watermarkDocumentSchema.safeParse(json);
  return parsed.success ? ok(parsed.data) : err(firstIssue(parsed.error));
}

function fromVersionOne(old: z.infer<typeof versionOneSchema>): WatermarkDocument {
  const history: readonly WatermarkHistoryEntry[] = old.history;
  const last = (events: readonly string[], runId?: string) =>
    [...history]
      .reverse()
      .find((entry) => events.includes(entry.event) && (runId === undefined || entry.runId === runId));
  const lastManual = last(["set", "reset"]);
  const lastExtract = old.extract ? last(["extract"], old.extract.lastRunId) : undefined;
  const lastLoad = old.load ? last(["load"], old.load.lastRunId) : undefined;
  const stamps = [
    ...history.map((entry) => entry.at),
    ...(old.extract ? [old.extract.updatedAt] : []),
    ...(old.load ? [old.load.loadedAt] : []),
  ].sort((a, b) => Date.parse(a) - Date.parse(b));
  const epoch = new Date(0).toISOString();
  return {
    version: currentWatermarkVersion,
    table: old.table,
    revision: old.revision,
    createdAt: stamps[0] ?? epoch,
    updatedAt: stamps[stamps.length - 1] ?? epoch,
    extract: old.extract
      ? {
          ...old.extract,
          // a set after the last extraction means the cursor is where an operator put it
          status:
            lastManual?.event === "set" &&
            (!lastExtract || Date.parse(lastManual.at) > Date.parse(lastExtract.at))
              ? "overridden"
              : "committed",
          ceiling: null,
          rowsLastRun: lastExtract?.rows ?? 0,
        }
      : null,
    load: old.load
      ? { ...old.load, status: "loaded", manifestKey: null, rowsLastRun: lastLoad?.rows ?? 0 }
      : null,
    lastOverride: lastManual
      ? {
          at: lastManual.at,
          event: lastManual.event as "set" | "reset",
          position: lastManual.position,
          previousPosition: null,
        }
      : null,
    history,
  };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join(".") || "document"}: ${issue?.message ?? "invalid"}`;
}
