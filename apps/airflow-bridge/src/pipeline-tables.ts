import { configError, parseTableRef, type SluiceError, type TableRef } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { DagTable } from "./dag-spec.js";

/**
 * What DAG generation needs of a loaded pipeline file (`pipelines/<name>.yml`): its
 * name, parallelism and tables with `enabled` and `depends_on`. Structural, so the
 * pipeline loader's PipelineFile fits without this package owning its schema; per-table
 * settings stay in the file, where `sluice sync -p FILE -t TABLE` reads them.
 */
export interface PipelineForDag {
  readonly name: string;
  readonly content: {
    readonly parallel?: number | undefined;
    readonly tables: readonly PipelineTableForDag[];
  };
}

export interface PipelineTableForDag {
  readonly table: string;
  readonly enabled?: boolean | undefined;
  readonly depends_on?: readonly string[] | undefined;
}

export interface PipelineDagTables {
  readonly tables: DagTable[];
  /** The file's `parallel:` (default 1, as `sync -p` runs them): Airflow's max_active_tasks. */
  readonly maxActiveTasks: number;
}

/**
 * The DAG's tables from a pipeline: the entries `picked` (the loader's table selection;
 * by default every enabled one), in file order, with `depends_on` resolved to the
 * file's spelling of each name (names match case-insensitively, as `-t` does).
 */
export function pipelineDagTables(
  pipeline: PipelineForDag,
  picked: readonly PipelineTableForDag[] = pipeline.content.tables.filter((entry) => entry.enabled !== false),
): Result<PipelineDagTables, SluiceError> {
  const byName = new Map(pipeline.content.tables.map((entry) => [entry.table.toLowerCase(), entry.table]));
  const tables: DagTable[] = [];
  for (const entry of picked) {
    const table = parseTableRef(entry.table);
    if (table.isErr()) return err(table.error);
    const dependsOn: TableRef[] = [];
    for (const name of entry.depends_on ?? []) {
      const known = byName.get(name.toLowerCase());
      if (known === undefined) {
        return err(
          configError(
            `pipeline ${pipeline.name}: table ${entry.table} depends_on ${name}, which is not under tables:; add it or fix the name`,
          ),
        );
      }
      const upstream = parseTableRef(known);
      if (upstream.isErr()) return err(upstream.error);
      dependsOn.push(upstream.value);
    }
    tables.push({ table: table.value, dependsOn, extraArgs: [] });
  }
  return ok({ tables, maxActiveTasks: pipeline.content.parallel ?? 1 });
}
