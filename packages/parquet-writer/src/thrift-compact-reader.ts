import { sluiceError } from "@sluice/core";

/**
 * A generic Thrift compact-protocol decoder: a struct becomes a Map from field id
 * to value (lists as arrays, binaries as Uint8Array, integers as number). Enough to
 * read back the footers and page headers this package writes.
 */
export type ThriftValue = number | boolean | Uint8Array | ThriftStruct | ThriftValue[];
export type ThriftStruct = Map<number, ThriftValue>;

export class ThriftCompactReader {
  position: number;

  constructor(
    private readonly data: Uint8Array,
    offset = 0,
  ) {
    this.position = offset;
  }

  private byte(): number {
    const value = this.data[this.position++];
    if (value === undefined) throw sluiceError("encode", "Truncated Thrift structure in Parquet file.");
    return value;
  }

  private varint(): number {
    let result = 0;
    let multiplier = 1;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if (byte < 0x80) return result;
    }
  }

  private zigzag(): number {
    const raw = this.varint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  private value(type: number): ThriftValue {
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return this.byte();
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7: {
        const value = Buffer.from(this.data.buffer, this.data.byteOffset + this.position, 8).readDoubleLE(0);
        this.position += 8;
        return value;
      }
      case 8: {
        const length = this.varint();
        const value = this.data.subarray(this.position, this.position + length);
        this.position += length;
        return value;
      }
      case 9:
      case 10: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const elementType = header & 0x0f;
        const items: ThriftValue[] = [];
        for (let index = 0; index < size; index++) {
          // Booleans inside lists are one byte each.
          items.push(elementType === 1 || elementType === 2 ? this.byte() === 1 : this.value(elementType));
        }
        return items;
      }
      case 12:
        return this.struct();
      default:
        throw sluiceError("encode", `Unsupported Thrift compact type ${type} in Parquet file.`);
    }
  }

  struct(): ThriftStruct {
    const fields: ThriftStruct = new Map();
    let lastFieldId = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return fields;
      const delta = header >> 4;
      const type = header & 0x0f;
      const fieldId = delta === 0 ? this.zigzag() : lastFieldId + delta;
      fields.set(fieldId, this.value(type));
      lastFieldId = fieldId;
    }
  }
}

export function field<T extends ThriftValue>(struct: ThriftStruct, id: number): T {
  const value = struct.get(id);
  if (value === undefined) throw sluiceError("encode", `Parquet metadata lacks required Thrift field ${id}.`);
  return value as T;
}
