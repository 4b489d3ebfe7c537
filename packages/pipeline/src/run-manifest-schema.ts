import type { RunManifest } from "@sluice/core";
import { sluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import { z } from "zod";

const stagedFileSchema = z.object({
  key: z.string().min(1),
  uri: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
});

const columnSchema = z.object({
  name: z.string().min(1),
  sourceType: z.string(),
  logical: z.looseObject({ kind: z.string() }),
  nullable: z.boolean(),
});

const runManifestSchema = z.object({
  version: z.literal(1),
  table: z.string().min(3),
  runId: z.string().min(1),
  createdAt: z.string(),
  strategy: z.string(),
  columns: z.array(columnSchema).min(1),
  primaryKey: z.array(z.string()),
  cursorColumn: z.string().nullable(),
  writeMode: z.enum(["merge", "append", "replace"]).optional(),
  files: z.array(stagedFileSchema),
  rows: z.number().int().nonnegative(),
  columnStats: z
    .record(
      z.string(),
      z.object({
        nulls: z.number().int().nonnegative(),
        maxBytes: z.number().int().nonnegative().nullable(),
      }),
    )
    .optional(),
  startedFrom: z
    .object({
      watermarkRevision: z.number().int().positive().nullable(),
      extract: z.looseObject({}).nullable(),
    })
    .optional(),
});

/** Manifests are read back by `--redshift-only` runs, maybe by another sluice version: validate, don't trust. */
export function parseRunManifest(
  key: string,
  text: string,
): Result<RunManifest, ReturnType<typeof sluiceError>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (thrown) {
    return err(
      sluiceError(
        "stage",
        `run manifest ${key} is not JSON (${String(thrown)}); delete it and re-extract that run`,
      ),
    );
  }
  const parsed = runManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return err(
      sluiceError(
        "stage",
        `run manifest ${key} is invalid at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "unknown"}; delete it and re-extract that run`,
      ),
    );
  }
  return ok(parsed.data as unknown as RunManifest);
}
