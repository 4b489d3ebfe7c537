/** Codes from parquet-format's parquet.thrift, only the ones this package writes or reads. */
export const PhysicalType = {
  BOOLEAN: 0,
  INT32: 1,
  INT64: 2,
  FLOAT: 4,
  DOUBLE: 5,
  BYTE_ARRAY: 6,
  FIXED_LEN_BYTE_ARRAY: 7,
} as const;
export type PhysicalTypeName = keyof typeof PhysicalType;

export const ConvertedType = {
  UTF8: 0,
  DECIMAL: 5,
  DATE: 6,
  TIMESTAMP_MICROS: 10,
  UINT_8: 11,
  UINT_16: 12,
  UINT_32: 13,
  INT_8: 15,
  INT_16: 16,
  INT_32: 17,
  INT_64: 18,
} as const;
export type ConvertedTypeName = keyof typeof ConvertedType;

export const Repetition = { REQUIRED: 0, OPTIONAL: 1 } as const;

export const Encoding = { PLAIN: 0, RLE: 3 } as const;

export const CompressionCodec = { UNCOMPRESSED: 0, SNAPPY: 1, ZSTD: 6 } as const;

export const PageType = { DATA_PAGE: 0 } as const;
