import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type SluiceError, sluiceError } from "@sluice/core";
import { errAsync, okAsync, type Result, ResultAsync } from "neverthrow";
import { checkDagSpec } from "./check-dag-spec.js";
import type { DagSpec } from "./dag-spec.js";
import { renderDag } from "./render-dag.js";

export interface GeneratedDag {
  readonly dagId: string;
  /** `<dag_id>.py`: the name Airflow's dags folder should hold it under. */
  readonly fileName: string;
  readonly source: string;
}

/** The library call behind `sluice-airflow dag`: check the spec, render the file. */
export function generateDag(spec: DagSpec): Result<GeneratedDag, SluiceError> {
  return checkDagSpec(spec).map((checked) => ({
    dagId: checked.dagId,
    fileName: `${checked.dagId}.py`,
    source: renderDag(checked),
  }));
}

export interface WrittenDag extends GeneratedDag {
  readonly path: string;
  /** False when the file already held exactly this text (nothing written). */
  readonly changed: boolean;
}

/**
 * Writes the DAG into a dags folder. Through a temporary file and a rename, because
 * Airflow's DAG processor parses the folder continuously and must never import a
 * half-written file; an unchanged file is left alone so its mtime does not trigger a re-parse.
 */
export function writeDagFile(spec: DagSpec, dagsFolder: string): ResultAsync<WrittenDag, SluiceError> {
  const generated = generateDag(spec);
  if (generated.isErr()) return errAsync(generated.error);
  const dag = generated.value;
  const path = join(dagsFolder, dag.fileName);
  const failed = (thrown: unknown) =>
    sluiceError(
      "config",
      `cannot write DAG ${dag.dagId} to ${path}: ${thrown instanceof Error ? thrown.message : String(thrown)}; check the --output folder exists and is writable`,
    );
  return ResultAsync.fromPromise(
    readFile(path, "utf8").catch(() => undefined),
    failed,
  ).andThen((existing) => {
    if (existing === dag.source) return okAsync({ ...dag, path, changed: false });
    const temporary = join(dirname(path), `.${dag.fileName}.${process.pid}.tmp`);
    return ResultAsync.fromPromise(
      mkdir(dagsFolder, { recursive: true })
        .then(() => writeFile(temporary, dag.source, "utf8"))
        .then(() => rename(temporary, path)),
      failed,
    ).map(() => ({ ...dag, path, changed: true }));
  });
}
