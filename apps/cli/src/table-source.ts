import { createMysqlSource, type MysqlConnectionOptions } from "@sluice/connectors";
import type { Source } from "@sluice/core";

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
