import { z } from "zod";

/** How many history entries a document keeps; older ones fall off the front. */
export const historyLimit = 50;

const cursorPositionSchema = z.object({
  cursorValue: z.string().nullable(),
  keyValues: z.array(z.string()).readonly(),
});

const extractStateSchema = z.object({
  strategy: z.string().min(1),
  cursorColumn: z.string().nullable(),
  position: cursorPositionSchema.nullable(),
  lastRunId: z.string(),
  manifestKey: z.string(),
  rowsTotal: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime({ offset: true }),
});

const loadStateSchema = z.object({
  lastRunId: z.string(),
  loadedAt: z.iso.datetime({ offset: true }),
  rowsTotal: z.number().int().nonnegative(),
});

const historyEntrySchema = z.object({
  at: z.iso.datetime({ offset: true }),
  event: z.enum(["extract", "load", "set", "reset"]),
  runId: z.string().nullable(),
  position: cursorPositionSchema.nullable(),
  rows: z.number().int().nonnegative(),
});

/**
 * The per-table state document at `_state/<schema.table>/watermark.json`. `version`
 * is the document format (a future format gets 2 and a migration); `revision` counts
 * writes and is what compare-and-set compares.
 */
export const watermarkDocumentSchema = z.object({
  version: z.literal(1),
  table: z.string().min(1),
  revision: z.number().int().positive(),
  extract: extractStateSchema.nullable(),
  load: loadStateSchema.nullable(),
  history: z.array(historyEntrySchema).max(historyLimit).readonly(),
});

export type WatermarkDocument = z.infer<typeof watermarkDocumentSchema>;
export type ExtractState = NonNullable<WatermarkDocument["extract"]>;
export type LoadState = NonNullable<WatermarkDocument["load"]>;
export type WatermarkHistoryEntry = WatermarkDocument["history"][number];
