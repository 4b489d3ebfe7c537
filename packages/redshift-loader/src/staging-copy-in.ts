import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { sluiceError } from "@sluice/core";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { copyTextFields } from "./copy-text.js";
import { stagingSequenceColumn } from "./merge-sql.js";
import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";

/** Rows are sent in chunks of about this many characters: fewer writes, bounded memory. */
const chunkCharacters = 256 * 1024;

/**
 * Streams rows into `COPY <staging> (<columns>, _sluice_seq) FROM STDIN` (text
 * format). `Readable.from` over an async generator pulls the next chunk only when
 * the COPY stream drains, so memory stays bounded whatever the file size. Each row
 * gets the next sequence number. Returns the number of rows the server accepted.
 */
export async function copyRowsIntoStaging(
  client: pg.Client,
  staging: WarehouseTable,
  columnNames: readonly string[],
  rows: AsyncIterable<readonly (string | null)[]>,
  firstSequence: number,
  context: string,
): Promise<number> {
  const columnList = [...columnNames, stagingSequenceColumn].map(quoteIdentifier).join(", ");
  const copyStream = client.query(copyFrom(`COPY ${qualifiedName(staging)} (${columnList}) FROM STDIN`));
  async function* chunks(): AsyncGenerator<string> {
    let sequence = firstSequence;
    let chunk = "";
    for await (const row of rows) {
      if (row.length !== columnNames.length) {
        throw sluiceError(
          "load",
          `${context}: a row has ${row.length} values but the run has ${columnNames.length} columns; the file does not match its manifest: re-stage the run`,
        );
      }
      chunk += `${copyTextFields(row)}\t${sequence}\n`;
      sequence++;
      if (chunk.length >= chunkCharacters) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk.length > 0) yield chunk;
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), copyStream);
  return copyStream.rowCount;
}
