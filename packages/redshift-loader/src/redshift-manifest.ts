import type { StagedFile } from "@sluice/core";

/**
 * The Redshift COPY manifest of a run. Parquet COPY needs `meta.content_length` for
 * every entry; `mandatory` makes a missing file fail the load instead of silently
 * loading less. Each file appears once (a file listed twice is loaded twice).
 */
export function renderRedshiftManifest(files: readonly StagedFile[]): string {
  const seen = new Set<string>();
  const entries = files
    .filter((file) => !seen.has(file.uri) && seen.add(file.uri))
    .map((file) => ({ url: file.uri, mandatory: true, meta: { content_length: file.sizeBytes } }));
  return `${JSON.stringify({ entries }, null, 2)}\n`;
}
