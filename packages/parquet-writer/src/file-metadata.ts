import { ConvertedType, Encoding, PhysicalType, Repetition } from "./parquet-enums.js";
import type { ColumnLayout } from "./parquet-schema.js";
import { ThriftCompactWriter } from "./thrift-compact-writer.js";

export interface ColumnChunkMeta {
  readonly numValues: number;
  readonly dataPageOffset: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
}

export interface RowGroupMeta {
  readonly numRows: number;
  readonly fileOffset: number;
  readonly columns: readonly ColumnChunkMeta[];
}

const CREATED_BY = "sluice parquet-writer 0.1.0";

function writeLogicalType(
  writer: ThriftCompactWriter,
  logical: NonNullable<ColumnLayout["logicalType"]>,
): void {
  writer.struct(10, (union) => {
    switch (logical.kind) {
      case "STRING":
        union.struct(1, () => {});
        break;
      case "DECIMAL":
        union.struct(5, (decimal) => decimal.i32(1, logical.scale).i32(2, logical.precision));
        break;
      case "DATE":
        union.struct(6, () => {});
        break;
      case "TIMESTAMP":
        union.struct(8, (timestamp) =>
          timestamp.bool(1, logical.isAdjustedToUTC).struct(2, (unit) => unit.struct(2, () => {})),
        );
        break;
    }
  });
}

/** Serialises the FileMetaData footer (Thrift compact) for our flat schema. */
export function encodeFileMetadata(
  layouts: readonly ColumnLayout[],
  rowGroups: readonly RowGroupMeta[],
  codec: number,
): Buffer {
  const writer = new ThriftCompactWriter();
  const numRows = rowGroups.reduce((sum, group) => sum + group.numRows, 0);
  writer.i32(1, 1);
  writer.structList(2, [null, ...layouts], (element, layout) => {
    if (layout === null) {
      element.binary(4, "schema").i32(5, layouts.length);
      return;
    }
    element.i32(1, PhysicalType[layout.physicalType]);
    if (layout.typeLength !== null) element.i32(2, layout.typeLength);
    element.i32(3, layout.optional ? Repetition.OPTIONAL : Repetition.REQUIRED);
    element.binary(4, layout.name);
    if (layout.convertedType !== null) element.i32(6, ConvertedType[layout.convertedType]);
    if (layout.scale !== null) element.i32(7, layout.scale);
    if (layout.precision !== null) element.i32(8, layout.precision);
    if (layout.logicalType !== null) writeLogicalType(element, layout.logicalType);
  });
  writer.i64(3, numRows);
  writer.structList(4, rowGroups, (group, rowGroup) => {
    const totalUncompressed = rowGroup.columns.reduce((sum, column) => sum + column.uncompressedSize, 0);
    const totalCompressed = rowGroup.columns.reduce((sum, column) => sum + column.compressedSize, 0);
    group.structList(1, rowGroup.columns, (chunk, column) => {
      const layout = layouts[rowGroup.columns.indexOf(column)] as ColumnLayout;
      chunk.i64(2, column.dataPageOffset);
      chunk.struct(3, (meta) =>
        meta
          .i32(1, PhysicalType[layout.physicalType])
          .i32List(2, layout.optional ? [Encoding.PLAIN, Encoding.RLE] : [Encoding.PLAIN])
          .stringList(3, [layout.name])
          .i32(4, codec)
          .i64(5, column.numValues)
          .i64(6, column.uncompressedSize)
          .i64(7, column.compressedSize)
          .i64(9, column.dataPageOffset),
      );
    });
    group.i64(2, totalUncompressed);
    group.i64(3, rowGroup.numRows);
    group.i64(5, rowGroup.fileOffset);
    group.i64(6, totalCompressed);
    group.i16(7, rowGroups.indexOf(rowGroup));
  });
  writer.binary(6, CREATED_BY);
  return writer.finish();
}
