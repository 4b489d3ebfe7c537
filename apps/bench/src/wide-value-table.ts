import { randomBytes } from "node:crypto";
import type { Connection } from "mysql2/promise";

/** A table of few, large values: the shape that row-counted batches turn into gigabytes. */
export const wideValueTableDdl = (name: string): string => `
CREATE TABLE ${name} (
  id INT NOT NULL PRIMARY KEY,
  body LONGTEXT NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY ${name}_updated_at_id (updated_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

/**
 * Fills `name` with `rows` values of `valueBytes` characters each: base64 of random
 * bytes, so ZSTD cannot shrink a page to nothing (~25% smaller, like real text) and the
 * Parquet side holds what a real table's pages would. Inserted a few MiB per statement
 * (under MariaDB's default 16 MiB max_allowed_packet), without the binary log when the
 * user may turn it off, which would otherwise hold every value a second time on disk.
 */
export async function fillWideValueTable(
  connection: Connection,
  name: string,
  rows: number,
  valueBytes: number,
  log: (line: string) => void,
): Promise<void> {
  await connection.query("SET SESSION sql_log_bin = 0").catch(() => undefined);
  const perStatement = Math.max(1, Math.floor((8 * 1024 * 1024) / valueBytes));
  const value = () =>
    randomBytes(Math.ceil((valueBytes * 3) / 4))
      .toString("base64")
      .slice(0, valueBytes);
  let logged = 0;
  for (let done = 0; done < rows; ) {
    const n = Math.min(perStatement, rows - done);
    const values: unknown[] = [];
    for (let index = 0; index < n; index++) values.push(done + index + 1, value());
    await connection.query(
      `INSERT INTO ${name} (id, body) VALUES ${Array(n).fill("(?, ?)").join(", ")}`,
      values,
    );
    done += n;
    if (done - logged >= rows / 10 || done === rows) {
      log(`  filled ${done} / ${rows}`);
      logged = done;
    }
  }
}
