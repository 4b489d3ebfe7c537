import type { SourceRecipe } from "@sluice/core";
import type { MysqlConnectionOptions } from "./mysql-connection-options.js";

/**
 * The package's built entry point, from this file in `src/mysql/` or `dist/mysql/`
 * alike: a worker thread imports JavaScript, and the path must not depend on how the
 * caller resolved this package (tests load its sources).
 */
const entryPoint = new URL("../../dist/index.js", import.meta.url).href;

/**
 * How a worker thread opens a source like `createMysqlSource(options)`: its own
 * connection with the same settings. Null when the options hold a stream factory (an
 * SSH tunnel's channel lives in this thread and cannot be handed to another): the
 * caller then reads on this thread instead.
 */
export function mysqlSourceRecipe(options: MysqlConnectionOptions): SourceRecipe | null {
  if (options.stream) return null;
  const { stream: _stream, ...settings } = options;
  return { module: entryPoint, factory: "createMysqlSource", options: settings };
}
