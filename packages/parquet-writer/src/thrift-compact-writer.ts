import { ByteSink } from "./byte-sink.js";

/**
 * The few Thrift compact-protocol writes the Parquet footer and page headers need.
 * Written by hand (not generated) because the structures are small and fixed, and
 * a generic Thrift runtime would cost more than the encoding it does.
 */
export const ThriftType = {
  booleanTrue: 1,
  booleanFalse: 2,
  byte: 3,
  i16: 4,
  i32: 5,
  i64: 6,
  double: 7,
  binary: 8,
  list: 9,
  struct: 12,
} as const;

export class ThriftCompactWriter {
  readonly sink = new ByteSink(1024);
  private lastFieldId = 0;
  private readonly fieldIdStack: number[] = [];

  private fieldHeader(fieldId: number, type: number): void {
    const delta = fieldId - this.lastFieldId;
    if (delta > 0 && delta <= 15) {
      this.sink.byte((delta << 4) | type);
    } else {
      this.sink.byte(type);
      this.zigzagVarint(fieldId);
    }
    this.lastFieldId = fieldId;
  }

  private zigzagVarint(value: number): void {
    // Values here are sizes, offsets and enum codes: safe integers, so plain arithmetic.
    this.sink.unsignedVarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  i32(fieldId: number, value: number): this {
    this.fieldHeader(fieldId, ThriftType.i32);
    this.zigzagVarint(value);
    return this;
  }

  i16(fieldId: number, value: number): this {
    this.fieldHeader(fieldId, ThriftType.i16);
    this.zigzagVarint(value);
    return this;
  }

  i64(fieldId: number, value: number): this {
    this.fieldHeader(fieldId, ThriftType.i64);
    this.zigzagVarint(value);
    return this;
  }

  bool(fieldId: number, value: boolean): this {
    this.fieldHeader(fieldId, value ? ThriftType.booleanTrue : ThriftType.booleanFalse);
    return this;
  }

  binary(fieldId: number, value: Uint8Array | string): this {
    this.fieldHeader(fieldId, ThriftType.binary);
    this.rawBinary(value);
    return this;
  }

  private rawBinary(value: Uint8Array | string): void {
    const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
    this.sink.unsignedVarint(bytes.length);
    this.sink.bytes(bytes);
  }

  beginStruct(fieldId: number): this {
    this.fieldHeader(fieldId, ThriftType.struct);
    this.fieldIdStack.push(this.lastFieldId);
    this.lastFieldId = 0;
    return this;
  }

  endStruct(): this {
    this.sink.byte(0);
    this.lastFieldId = this.fieldIdStack.pop() ?? 0;
    return this;
  }

  /** A struct nested inside `fn`; the helper keeps begin/end paired. */
  struct(fieldId: number, fn: (writer: this) => void): this {
    this.beginStruct(fieldId);
    fn(this);
    return this.endStruct();
  }

  private listHeader(size: number, elementType: number): void {
    if (size < 15) {
      this.sink.byte((size << 4) | elementType);
    } else {
      this.sink.byte(0xf0 | elementType);
      this.sink.unsignedVarint(size);
    }
  }

  i32List(fieldId: number, values: readonly number[]): this {
    this.fieldHeader(fieldId, ThriftType.list);
    this.listHeader(values.length, ThriftType.i32);
    for (const value of values) this.zigzagVarint(value);
    return this;
  }

  stringList(fieldId: number, values: readonly string[]): this {
    this.fieldHeader(fieldId, ThriftType.list);
    this.listHeader(values.length, ThriftType.binary);
    for (const value of values) this.rawBinary(value);
    return this;
  }

  /** A list of structs; `fn` writes each element's fields (the stop byte is added here). */
  structList<T>(fieldId: number, items: readonly T[], fn: (writer: this, item: T) => void): this {
    this.fieldHeader(fieldId, ThriftType.list);
    this.listHeader(items.length, ThriftType.struct);
    for (const item of items) {
      this.fieldIdStack.push(this.lastFieldId);
      this.lastFieldId = 0;
      fn(this, item);
      this.endStruct();
    }
    return this;
  }

  /** Closes the outermost struct (the one written without a field header). */
  finish(): Buffer {
    this.sink.byte(0);
    return Buffer.from(this.sink.view());
  }
}
