import { open } from "node:fs/promises";
import { type ColumnSpec, sluiceError } from "@sluice/core";
import { ColumnTextCursor } from "./column-text-cursor.js";
import { PhysicalType } from "./parquet-enums.js";
import { type ColumnLayout, columnLayout } from "./parquet-schema.js";
import { field, ThriftCompactReader, type ThriftStruct } from "./thrift-compact-reader.js";

/**
 * Reads a part written by `createParquetPartWriter` back as canonical text per value
 * (what PostgreSQL's COPY text format accepts), one row group in memory at a time.
 */
export async function* readParquetRowsAsText(
  path: string,
  columns: readonly ColumnSpec[],
): AsyncIterable<readonly (string | null)[]> {
  const file = await open(path, "r");
  try {
    const { size } = await file.stat();
    const trailer = Buffer.alloc(8);
    await file.read(trailer, 0, 8, size - 8);
    if (trailer.toString("ascii", 4) !== "PAR1") {
      throw sluiceError("encode", `${path} is not a Parquet file (no PAR1 trailer).`);
    }
    const footerLength = trailer.readUInt32LE(0);
    const footer = Buffer.alloc(footerLength);
    await file.read(footer, 0, footerLength, size - 8 - footerLength);
    const metadata = new ThriftCompactReader(footer).struct();
    const schema = field<ThriftStruct[]>(metadata, 2).slice(1);
    const layouts = columns.map(columnLayout);
    if (schema.length !== layouts.length) {
      throw sluiceError(
        "schema",
        `${path} has ${schema.length} columns but ${layouts.length} column specs were given.`,
      );
    }
    layouts.forEach((layout, index) => {
      const element = schema[index] as ThriftStruct;
      const name = Buffer.from(field<Uint8Array>(element, 4)).toString("utf8");
      if (name !== layout.name || field<number>(element, 1) !== PhysicalType[layout.physicalType]) {
        throw sluiceError(
          "schema",
          `${path} column ${index + 1} is ${name} (physical type ${String(element.get(1))}), not ${layout.name} (${layout.physicalType}) as the column specs say.`,
        );
      }
    });
    for (const rowGroup of field<ThriftStruct[]>(metadata, 4)) {
      const numRows = field<number>(rowGroup, 3);
      // The row group's compressed chunks are read whole (bounded by the writer's
      // row-group limits); values are decoded page by page as the rows are assembled.
      const cursors = await Promise.all(
        field<ThriftStruct[]>(rowGroup, 1).map(async (chunk, index) => {
          const meta = field<ThriftStruct>(chunk, 3);
          const compressedSize = field<number>(meta, 7);
          const bytes = Buffer.alloc(compressedSize);
          await file.read(bytes, 0, compressedSize, field<number>(meta, 9));
          return new ColumnTextCursor(
            layouts[index] as ColumnLayout,
            bytes,
            field<number>(meta, 4),
            field<number>(meta, 5),
          );
        }),
      );
      const width = cursors.length;
      for (let row = 0; row < numRows; row++) {
        const values: (string | null)[] = new Array(width);
        for (let column = 0; column < width; column++)
          values[column] = (cursors[column] as ColumnTextCursor).next();
        yield values;
      }
    }
  } finally {
    await file.close();
  }
}
