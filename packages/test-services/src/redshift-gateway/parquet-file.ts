import { gunzipSync, zstdDecompressSync } from "node:zlib";
import { type FileMetaData, parquetMetadata, parquetRead, type SchemaElement } from "hyparquet";
import { GatewaySqlError } from "./gateway-error.js";

/** One top-level Parquet column as the file declares it. */
export interface ParquetColumn {
  readonly name: string;
  readonly element: SchemaElement;
  /** True for a group (struct, list, map): Redshift loads those only into SUPER. */
  readonly nested: boolean;
}

export interface ParquetFile {
  readonly columns: readonly ParquetColumn[];
  readonly rowCount: number;
  /**
   * Rows, one row group at a time, as raw physical values: numbers for INT32 /
   * FLOAT / DOUBLE, bigint for INT64 / INT96, booleans, Uint8Array for byte arrays,
   * null for NULL. Logical types are applied by the caller (value-text.ts), because
   * hyparquet's own conversion turns decimals into floats.
   */
  rowGroups(): AsyncIterable<unknown[][]>;
}

const decompressors = {
  ZSTD: (input: Uint8Array) => new Uint8Array(zstdDecompressSync(input)),
  GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)),
};

/** Parses the footer of a whole Parquet file held in memory. */
export function openParquetFile(bytes: Uint8Array, describe: string): ParquetFile {
  let metadata: FileMetaData;
  try {
    if (bytes.length < 12 || Buffer.from(bytes.subarray(bytes.length - 4)).toString("latin1") !== "PAR1") {
      throw new Error("no PAR1 magic at the end");
    }
    metadata = parquetMetadata(bytes, { geoparquet: false });
  } catch (thrown) {
    throw new GatewaySqlError(
      "Spectrum Scan Error",
      "XX000",
      `error: Spectrum Scan Error code: 15001 context: File '${describe}' is not a valid Parquet file: ${(thrown as Error).message}`,
    );
  }
  const columns = topLevelColumns(metadata.schema);
  // Strip the logical annotations so hyparquet hands back physical values untouched.
  const raw: FileMetaData = {
    ...metadata,
    schema: metadata.schema.map((element, index) => (index === 0 ? element : withoutAnnotations(element))),
  };
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return {
    columns,
    rowCount: Number(metadata.num_rows),
    async *rowGroups() {
      let start = 0;
      for (const group of metadata.row_groups) {
        const end = start + Number(group.num_rows);
        const rows = await new Promise<unknown[][]>((resolve, reject) => {
          parquetRead({
            file: buffer,
            metadata: raw,
            rowStart: start,
            rowEnd: end,
            utf8: false,
            compressors: decompressors,
            parsers: { timestampFromNanoseconds: (nanos: bigint) => nanos },
            onComplete: (result: unknown[][]) => resolve(result),
          }).catch(reject);
        });
        start = end;
        yield rows;
      }
    },
  };
}

/** The root's direct children, in file order (COPY maps them to table columns by position). */
function withoutAnnotations(element: SchemaElement): SchemaElement {
  const { converted_type: _converted, logical_type: _logical, ...physical } = element;
  return physical;
}

function topLevelColumns(schema: readonly SchemaElement[]): ParquetColumn[] {
  const root = schema[0];
  const columns: ParquetColumn[] = [];
  let index = 1;
  for (let child = 0; child < (root?.num_children ?? 0); child++) {
    const element = schema[index] as SchemaElement;
    const nested = (element.num_children ?? 0) > 0;
    columns.push({ name: element.name, element, nested });
    index = skipSubtree(schema, index);
  }
  return columns;
}

function skipSubtree(schema: readonly SchemaElement[], index: number): number {
  const children = schema[index]?.num_children ?? 0;
  let next = index + 1;
  for (let child = 0; child < children; child++) next = skipSubtree(schema, next);
  return next;
}

/** Parquet's own notation for a column, as Redshift prints it: `optional int32 id`. */
export function describeParquetColumn(column: ParquetColumn): string {
  const { element } = column;
  const repetition = (element.repetition_type ?? "REQUIRED").toLowerCase();
  if (column.nested) return `${repetition} group ${column.name}`;
  const type = (element.type ?? "").toLowerCase();
  const length = element.type === "FIXED_LEN_BYTE_ARRAY" ? `(${element.type_length})` : "";
  const annotation = element.logical_type
    ? ` (${logicalText(element)})`
    : element.converted_type
      ? ` (${element.converted_type})`
      : "";
  return `${repetition} ${type}${length} ${column.name}${annotation}`;
}

function logicalText(element: SchemaElement): string {
  const logical = element.logical_type;
  if (!logical) return "";
  switch (logical.type) {
    case "DECIMAL":
      return `DECIMAL(${logical.precision},${logical.scale})`;
    case "TIMESTAMP":
      return `TIMESTAMP(${logical.unit},${logical.isAdjustedToUTC})`;
    case "INTEGER":
      return `INTEGER(${logical.bitWidth},${logical.isSigned})`;
    default:
      return logical.type;
  }
}
