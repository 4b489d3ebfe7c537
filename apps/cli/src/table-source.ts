import { createMysqlSource, type MysqlConnectionOptions, mysqlSourceRecipe } from "@sluice/connectors";
import type { Source } from "@sluice/core";
import type { SnapshotConnections } from "@sluice/pipeline";

/**
 * Runs `work` with an opened source for one table's job (the pipeline takes opened
 * instances, never connection settings) and closes it afterwards, whatever the outcome.
 * One source per table job: parallel tables never share a MySQL session.
 */
export async function withTableSource<T>(
  options: MysqlConnectionOptions | undefined,
  work: (source: Source | undefined) => PromiseLike<T>,
): Promise<T> {
  if (!options) return work(undefined);
  const source = createMysqlSource(options);
  try {
    return await work(source);
  } finally {
    await source.close();
  }
}

/**
 * `--snapshot-connections N` for a MySQL source: worker threads that open their own
 * connections with the same settings, or, behind an SSH tunnel (whose channels live
 * on this thread), more connections on this thread.
 */
export function snapshotConnectionsFor(count: number, options: MysqlConnectionOptions): SnapshotConnections {
  const recipe = mysqlSourceRecipe(options);
  return recipe ? { count, recipe } : { count, open: () => createMysqlSource(options) };
}
