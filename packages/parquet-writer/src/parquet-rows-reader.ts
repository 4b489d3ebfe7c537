import { open } from "node:fs/promises";
import { type ColumnSpec, sluiceError } from "@sluice/core";
import { formatDate, formatDateTimeMicros } from "./datetime-text.js";
import { fixedBytesToBigInt, formatDecimal } from "./decimal-text.js";
import { decodeDefinitionLevels } from "./definition-levels.js";
import { decompressPage } from "./page-compression.js";
import { PhysicalType } from "./parquet-enums.js";
import { type ColumnLayout, columnLayout } from "./parquet-schema.js";
import { field, ThriftCompactReader, type ThriftStruct } from "./thrift-compact-reader.js";

/** Shortest decimal text that reads back to the same 32-bit float. */
function floatText(value: number): string {
  if (!Number.isFinite(value) || value === 0) return numberText(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return numberText(candidate);
  }
  return numberText(value);
}

function numberText(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Decodes `count` PLAIN values of one page to canonical text. */
function decodeValues(layout: ColumnLayout, data: Buffer, offset: number, count: number): string[] {
  const texts: string[] = new Array(count);
  let position = offset;
  const scale = layout.scale ?? 0;
  for (let index = 0; index < count; index++) {
    switch (layout.encoding) {
      case "boolean":
        texts[index] = ((data[offset + (index >> 3)] ?? 0) >> (index & 7)) & 1 ? "t" : "f";
        break;
      case "int32":
        texts[index] = String(data.readInt32LE(position));
        position += 4;
        break;
      case "int64":
      case "bit-int64":
        texts[index] = data.readBigInt64LE(position).toString();
        position += 8;
        break;
      case "decimal-int32":
        texts[index] = formatDecimal(BigInt(data.readInt32LE(position)), scale);
        position += 4;
        break;
      case "decimal-int64":
        texts[index] = formatDecimal(data.readBigInt64LE(position), scale);
        position += 8;
        break;
      case "decimal-fixed":
      case "bit-fixed": {
        const length = layout.typeLength ?? 0;
        texts[index] = formatDecimal(fixedBytesToBigInt(data, position, length), scale);
        position += length;
        break;
      }
      case "float":
        texts[index] = floatText(data.readFloatLE(position));
        position += 4;
        break;
      case "double":
        texts[index] = numberText(data.readDoubleLE(position));
        position += 8;
        break;
      case "date":
        texts[index] = formatDate(data.readInt32LE(position));
        position += 4;
        break;
      case "datetime":
        texts[index] = formatDateTimeMicros(data.readBigInt64LE(position));
        position += 8;
        break;
      case "timestamp":
        texts[index] = `${formatDateTimeMicros(data.readBigInt64LE(position))}+00`;
        position += 8;
        break;
      case "utf8":
      case "binary": {
        const length = data.readUInt32LE(position);
        const bytes = data.subarray(position + 4, position + 4 + length);
        texts[index] = layout.encoding === "utf8" ? bytes.toString("utf8") : `\\x${bytes.toString("hex")}`;
        position += 4 + length;
        break;
      }
    }
  }
  return texts;
}

/** All values of one column chunk as text or null. */
function decodeChunk(
  layout: ColumnLayout,
  chunk: Buffer,
  codec: number,
  numValues: number,
): (string | null)[] {
  const result: (string | null)[] = [];
  let position = 0;
  while (result.length < numValues) {
    const reader = new ThriftCompactReader(chunk, position);
    const header = reader.struct();
    if (field<number>(header, 1) !== 0) {
      throw sluiceError(
        "encode",
        `Parquet column ${layout.name}: page type ${String(header.get(1))} is not a V1 data page.`,
      );
    }
    const uncompressedSize = field<number>(header, 2);
    const compressedSize = field<number>(header, 3);
    const pageValues = field<number>(field<ThriftStruct>(header, 5), 1);
    const body = decompressPage(
      codec,
      chunk.subarray(reader.position, reader.position + compressedSize),
      uncompressedSize,
    );
    position = reader.position + compressedSize;
    let valuesOffset = 0;
    let levels: Uint8Array | undefined;
    if (layout.optional) {
      const levelBytes = body.readUInt32LE(0);
      levels = decodeDefinitionLevels(body.subarray(4, 4 + levelBytes), pageValues);
      valuesOffset = 4 + levelBytes;
    }
    let defined = pageValues;
    if (levels !== undefined) {
      defined = 0;
      for (const level of levels) defined += level;
    }
    const texts = decodeValues(layout, body, valuesOffset, defined);
    let next = 0;
    for (let index = 0; index < pageValues; index++) {
      result.push(levels === undefined || levels[index] === 1 ? (texts[next++] as string) : null);
    }
  }
  return result;
}

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
      const columnValues = await Promise.all(
        field<ThriftStruct[]>(rowGroup, 1).map(async (chunk, index) => {
          const meta = field<ThriftStruct>(chunk, 3);
          const compressedSize = field<number>(meta, 7);
          const bytes = Buffer.alloc(compressedSize);
          await file.read(bytes, 0, compressedSize, field<number>(meta, 9));
          return decodeChunk(
            layouts[index] as ColumnLayout,
            bytes,
            field<number>(meta, 4),
            field<number>(meta, 5),
          );
        }),
      );
      for (let row = 0; row < numRows; row++) {
        yield columnValues.map((values) => values[row] ?? null);
      }
    }
  } finally {
    await file.close();
  }
}
