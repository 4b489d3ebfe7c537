import { formatTableRef, type ObjectStore, type SluiceError, sluiceError, type TableRef } from "@sluice/core";
import { ResultAsync } from "neverthrow";

/** One finished run of a table, as its completion markers recorded it (docs/airflow.md). */
export interface RecentRun {
  readonly runId: string;
  readonly status: "ok" | "failed";
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly mode: string | null;
  readonly rowsExtracted: number;
  readonly rowsLoaded: number;
  readonly files: number;
  readonly bytes: number;
  /** Time spent reading MySQL and writing Parquet (the extraction stage alone). */
  readonly extractSeconds: number | null;
  readonly durationSeconds: number | null;
  /** The failure's message (credentials already redacted when the marker was written). */
  readonly error: string | null;
}

const datedRun = /\/\d{4}-\d{2}-\d{2}\/([^/]+)\/execution_metadata\.json$/;

type Json = Record<string, unknown>;
const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const text = (value: unknown): string | null => (typeof value === "string" ? value : null);

/**
 * The table's last `limit` runs, newest last, from `_markers/<schema.table>/<date>/<run>/`:
 * every run that got as far as its lease writes them, success or failure, so they are
 * the record of "last run" and of the rates an estimate extrapolates from. Runs whose
 * markers are unreadable are left out (a half-written folder of a crashed run).
 */
export function recentRuns(
  lake: ObjectStore,
  table: TableRef,
  limit: number,
): ResultAsync<RecentRun[], SluiceError> {
  const name = formatTableRef(table);
  const work = async (): Promise<RecentRun[]> => {
    const listed = await lake.list(`_markers/${name}/`);
    if (listed.isErr()) throw listed.error;
    const folders = listed.value
      .map((object) => object.key)
      .filter((key) => datedRun.test(key))
      .sort((a, b) => (runIdOf(a) < runIdOf(b) ? -1 : runIdOf(a) > runIdOf(b) ? 1 : 0))
      .slice(-limit);
    const runs: RecentRun[] = [];
    for (const metadataKey of folders) {
      const metadata = await readJson(lake, metadataKey);
      if (!metadata) continue;
      const metrics = await readJson(
        lake,
        metadataKey.replace(/execution_metadata\.json$/, "table_metrics.json"),
      );
      const result = ((metadata.table_results as Json | undefined)?.[name] ?? {}) as Json;
      const tableMetrics = ((metrics?.tables as Json[] | undefined) ?? []).find(
        (entry) => entry.table_name === name,
      );
      const mysql = (tableMetrics?.mysql_metrics ?? null) as Json | null;
      runs.push({
        runId: runIdOf(metadataKey),
        status: result.status === "success" ? "ok" : "failed",
        startedAt: text(result.started_at),
        finishedAt: text(result.completed_at),
        mode: text(metadata.mode),
        rowsExtracted: num(result.rows_extracted),
        rowsLoaded: num(result.rows_loaded),
        files: num(result.files_created),
        bytes: num(result.bytes_written),
        extractSeconds: mysql ? num(mysql.extraction_duration_seconds) : null,
        durationSeconds: typeof result.duration_seconds === "number" ? result.duration_seconds : null,
        error: text(result.error),
      });
    }
    return runs;
  };
  return ResultAsync.fromPromise(work(), (thrown) =>
    typeof thrown === "object" && thrown !== null && "kind" in thrown
      ? (thrown as SluiceError)
      : sluiceError("stage", `reading the completion markers of ${name}: ${String(thrown)}`, {
          retryable: false,
        }),
  );
}

function runIdOf(key: string): string {
  return datedRun.exec(key)?.[1] ?? key;
}

async function readJson(lake: ObjectStore, key: string): Promise<Json | null> {
  const body = await lake.get(key);
  if (body.isErr() || !body.value) return null;
  try {
    return JSON.parse(new TextDecoder().decode(body.value)) as Json;
  } catch {
    return null;
  }
}
