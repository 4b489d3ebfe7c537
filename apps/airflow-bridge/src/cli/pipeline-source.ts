import { configError, type SluiceError } from "@sluice/core";
import { loadPipelineFile, pipelineFilePath, selectTables } from "@sluice/pipeline";
import type { Result, ResultAsync } from "neverthrow";
import type { DagTable } from "../dag-spec.js";
import { pipelineDagTables } from "../pipeline-tables.js";

/** Where a DAG's tables come from: `-t` flags, or a pipeline file (with its name and parallelism). */
export interface TableSource {
  readonly tables: readonly DagTable[];
  readonly name?: string;
  readonly maxActiveTasks?: number;
}

/**
 * The DAG's tables from `-p`: the file is loaded and checked exactly as `sluice sync -p`
 * loads it (a DAG is never generated from a file sync would refuse), and `-t` picks
 * tables by name or glob as sync does; none picks every enabled table.
 */
export function pipelineSource(
  nameOrPath: string,
  patterns: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): ResultAsync<TableSource, SluiceError> {
  const path = pipelineFilePath(nameOrPath, cwd);
  return loadPipelineFile(path, env)
    .mapErr((error) =>
      error.message.includes("unset variables")
        ? configError(
            `${error.message}\nDAG generation reads the pipeline file as sync does: set these variables (for connection settings any value will do; the DAG never holds them)`,
          )
        : error,
    )
    .andThen(
      (pipeline): Result<TableSource, SluiceError> =>
        selectTables(pipeline.content.tables, patterns, path)
          .andThen((picked) => pipelineDagTables(pipeline, picked))
          .map((tables) => ({ ...tables, name: pipeline.name })),
    );
}
