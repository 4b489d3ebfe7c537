/**
 * PostgreSQL wire protocol v3 framing (https://www.postgresql.org/docs/current/protocol-message-formats.html).
 * After start-up every message is one type byte plus an int32 length that counts
 * itself but not the type byte; start-up messages have no type byte.
 */
export interface Frame {
  /** The type byte as a character ("Q", "P", "Z", ...); "" for an untyped start-up message. */
  readonly type: string;
  /** The message body, without type byte and length. */
  readonly body: Buffer;
}

/** Accumulates socket chunks and cuts them into whole frames. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private typed: boolean) {}

  /** Switches from start-up framing (no type byte) to regular framing. */
  expectTyped(): void {
    this.typed = true;
  }

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const header = this.typed ? 5 : 4;
      if (this.pending.length < header) break;
      const length = this.pending.readInt32BE(this.typed ? 1 : 0);
      const total = (this.typed ? 1 : 0) + length;
      if (this.pending.length < total) break;
      const type = this.typed ? String.fromCharCode(this.pending[0] as number) : "";
      frames.push({ type, body: this.pending.subarray(header, total) });
      this.pending = this.pending.subarray(total);
      // Start-up framing covers one message: the caller answers it, then calls
      // expectTyped() (after a StartupMessage) and push(empty) for what is left.
      if (!this.typed) break;
    }
    return frames;
  }
}

/** Serializes a typed frame. */
export function encodeFrame(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

export function cString(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, "utf8"), Buffer.from([0])]);
}

/** Reads a NUL-terminated string at `offset`; returns it and the offset after the NUL. */
export function readCString(body: Buffer, offset: number): { text: string; next: number } {
  const end = body.indexOf(0, offset);
  const stop = end === -1 ? body.length : end;
  return { text: body.toString("utf8", offset, stop), next: stop + 1 };
}

/** Fields of an ErrorResponse / NoticeResponse, by their one-letter codes. */
export interface ErrorFields {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
}

export function encodeErrorResponse(fields: ErrorFields): Buffer {
  const parts: Buffer[] = [
    Buffer.from("S"),
    cString(fields.severity),
    Buffer.from("V"),
    cString(fields.severity),
    Buffer.from("C"),
    cString(fields.code),
    Buffer.from("M"),
    cString(fields.message),
  ];
  if (fields.detail !== undefined) parts.push(Buffer.from("D"), cString(fields.detail));
  if (fields.hint !== undefined) parts.push(Buffer.from("H"), cString(fields.hint));
  parts.push(Buffer.from([0]));
  return encodeFrame("E", Buffer.concat(parts));
}

export function decodeErrorResponse(body: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const code = String.fromCharCode(body[offset] as number);
    const value = readCString(body, offset + 1);
    fields[code] = value.text;
    offset = value.next;
  }
  return fields;
}

export function encodeQuery(sql: string): Buffer {
  return encodeFrame("Q", cString(sql));
}

export function encodeCommandComplete(tag: string): Buffer {
  return encodeFrame("C", cString(tag));
}

export function encodeCopyData(data: Buffer): Buffer {
  return encodeFrame("d", data);
}

export function encodeCopyDone(): Buffer {
  return encodeFrame("c", Buffer.alloc(0));
}

export function encodeCopyFail(reason: string): Buffer {
  return encodeFrame("f", cString(reason));
}

/** The simple-query text of a "Q" frame. */
export function queryText(body: Buffer): string {
  return readCString(body, 0).text;
}

/** A "P" (Parse) frame: statement name, query text, then parameter type OIDs. */
export interface ParseMessage {
  readonly name: string;
  readonly query: string;
  readonly parameterTypes: Buffer;
}

export function decodeParse(body: Buffer): ParseMessage {
  const name = readCString(body, 0);
  const query = readCString(body, name.next);
  return { name: name.text, query: query.text, parameterTypes: body.subarray(query.next) };
}

export function encodeParse(message: ParseMessage): Buffer {
  return encodeFrame(
    "P",
    Buffer.concat([cString(message.name), cString(message.query), message.parameterTypes]),
  );
}

/** Start-up request codes (the int32 after the length of an untyped message). */
export const sslRequestCode = 80877103;
export const gssEncRequestCode = 80877104;
export const cancelRequestCode = 80877102;
