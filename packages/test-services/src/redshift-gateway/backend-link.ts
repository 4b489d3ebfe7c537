import { GatewaySqlError } from "./gateway-error.js";
import { encodeErrorResponse, encodeQuery, type Frame } from "./wire-frames.js";

/**
 * The client's own backend session, while the gateway drives it itself (during an
 * intercepted COPY): frames the backend sends arrive through `next()` instead of
 * going to the client.
 */
export interface BackendLink {
  toBackend(bytes: Buffer): void;
  toClient(bytes: Buffer): void;
  next(): Promise<Frame>;
}

export interface QueryOutcome {
  /** Text values of each DataRow (null for NULL). */
  readonly rows: (string | null)[][];
  /** The ErrorResponse frame, if the statement failed. */
  readonly error: Frame | null;
  /** The ReadyForQuery frame that ended the exchange. */
  readonly ready: Frame;
}

/** Runs one simple query on the backend and collects its answer up to ReadyForQuery. */
export async function backendQuery(link: BackendLink, sql: string): Promise<QueryOutcome> {
  link.toBackend(encodeQuery(sql));
  return collectUntilReady(link);
}

export async function collectUntilReady(link: BackendLink): Promise<QueryOutcome> {
  const rows: (string | null)[][] = [];
  let error: Frame | null = null;
  for (;;) {
    const frame = await link.next();
    if (frame.type === "D") rows.push(decodeDataRow(frame.body));
    else if (frame.type === "E") error = frame;
    else if (frame.type === "Z") return { rows, error, ready: frame };
  }
}

function decodeDataRow(body: Buffer): (string | null)[] {
  const count = body.readInt16BE(0);
  const values: (string | null)[] = [];
  let offset = 2;
  for (let index = 0; index < count; index++) {
    const length = body.readInt32BE(offset);
    offset += 4;
    if (length < 0) values.push(null);
    else {
      values.push(body.toString("utf8", offset, offset + length));
      offset += length;
    }
  }
  return values;
}

/**
 * A statement that fails with the gateway's error inside PostgreSQL, so the
 * backend's transaction is aborted exactly as Redshift's would be and the client
 * sees the error followed by the backend's own ReadyForQuery.
 */
export function raiseStatement(error: GatewaySqlError): string {
  const tag = `$gateway_${Math.random().toString(36).slice(2)}$`;
  const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const detail = error.detail !== undefined ? `, DETAIL = ${literal(error.detail)}` : "";
  return `DO ${tag} BEGIN RAISE EXCEPTION USING MESSAGE = ${literal(error.message)}, ERRCODE = ${literal(error.code)}${detail}; END ${tag}`;
}

/** Fails the client's statement with `error`, aborting its transaction on the backend. */
export async function failThroughBackend(link: BackendLink, error: GatewaySqlError): Promise<void> {
  const outcome = await backendQuery(link, raiseStatement(error));
  link.toClient(
    encodeErrorResponse({
      severity: "ERROR",
      code: error.code,
      message: error.message,
      ...(error.detail !== undefined ? { detail: error.detail } : {}),
    }),
  );
  link.toClient(encodeFrame(outcome.ready));
}

export function encodeFrame(frame: Frame): Buffer {
  const header = Buffer.alloc(5);
  header.write(frame.type, 0, "latin1");
  header.writeInt32BE(frame.body.length + 4, 1);
  return Buffer.concat([header, frame.body]);
}

export function asGatewayError(thrown: unknown): GatewaySqlError {
  if (thrown instanceof GatewaySqlError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new GatewaySqlError(`S3ServiceException: ${message}`, "XX000");
}
