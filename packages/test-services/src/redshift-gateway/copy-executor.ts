import type { S3Client } from "@aws-sdk/client-s3";
import {
  asGatewayError,
  type BackendLink,
  backendQuery,
  collectUntilReady,
  encodeFrame,
  failThroughBackend,
} from "./backend-link.js";
import { columnConverter, type ValueConverter } from "./column-converter.js";
import { type CopySourceFile, getObjectBytes, resolveCopySources } from "./copy-sources.js";
import { GatewaySqlError, sqlState } from "./gateway-error.js";
import { openParquetFile, type ParquetFile } from "./parquet-file.js";
import { parseRedshiftCopy, type RedshiftCopyCommand } from "./redshift-copy-command.js";
import type { SqlToken } from "./sql-tokens.js";
import { parseTargetType, type TargetColumn, targetColumnsQuery } from "./target-column-type.js";
import { copyTextRow } from "./value-text.js";
import {
  encodeCopyData,
  encodeCopyDone,
  encodeCopyFail,
  encodeErrorResponse,
  encodeQuery,
} from "./wire-frames.js";

export interface CopyExecutorOptions {
  readonly s3: S3Client;
  /** Region printed in Redshift-style file URLs. */
  readonly region: string;
}

interface PreparedFile {
  readonly source: CopySourceFile;
  readonly parquet: ParquetFile;
  readonly converters: readonly ValueConverter[];
}

const chunkCharacters = 256 * 1024;

/**
 * Executes a Redshift `COPY ... FROM 's3://...' FORMAT AS PARQUET` through the
 * client's own backend session: every file is read and checked against the target
 * first (schema errors fail before any row moves), then the rows stream in with
 * `COPY ... FROM STDIN`, so they commit or roll back with the client's transaction.
 * Answers the client with `COPY n` or an error, then the backend's ReadyForQuery.
 */
export async function executeRedshiftCopy(
  tokens: readonly SqlToken[],
  link: BackendLink,
  options: CopyExecutorOptions,
): Promise<void> {
  let command: RedshiftCopyCommand;
  try {
    command = parseRedshiftCopy(tokens);
  } catch (thrown) {
    return failThroughBackend(link, asGatewayError(thrown));
  }
  const described = await backendQuery(link, targetColumnsQuery(command.table));
  if (described.error) {
    link.toClient(encodeFrame(described.error));
    link.toClient(encodeFrame(described.ready));
    return;
  }
  const prepared: PreparedFile[] = [];
  let targets: TargetColumn[];
  try {
    const all = described.rows.map(([name, type]) => ({
      name: name ?? "",
      type: parseTargetType(type ?? ""),
    }));
    targets = selectColumns(all, command);
    const files = await resolveCopySources(options.s3, command.source, command.manifest);
    for (const source of files) prepared.push(await prepareFile(source, targets, command, options));
  } catch (thrown) {
    return failThroughBackend(link, asGatewayError(thrown));
  }
  const columnList = targets.map((column) => `"${column.name.replaceAll('"', '""')}"`).join(", ");
  link.toBackend(encodeQuery(`COPY ${command.table} (${columnList}) FROM STDIN`));
  for (;;) {
    const frame = await link.next();
    if (frame.type === "G") break;
    if (frame.type === "E") {
      const outcome = await collectUntilReady(link);
      link.toClient(encodeFrame(frame));
      link.toClient(encodeFrame(outcome.ready));
      return;
    }
  }
  try {
    await streamRows(link, prepared, targets.length);
  } catch (thrown) {
    const error = asGatewayError(thrown);
    link.toBackend(encodeCopyFail(error.message));
    const outcome = await collectUntilReady(link);
    link.toClient(
      encodeErrorResponse({
        severity: "ERROR",
        code: error.code,
        message: error.message,
        ...(error.detail !== undefined ? { detail: error.detail } : {}),
      }),
    );
    link.toClient(encodeFrame(outcome.ready));
    return;
  }
  link.toBackend(encodeCopyDone());
  for (;;) {
    const frame = await link.next();
    if (frame.type === "C" || frame.type === "E" || frame.type === "N") link.toClient(encodeFrame(frame));
    if (frame.type === "Z") {
      link.toClient(encodeFrame(frame));
      return;
    }
  }
}

/** The column list of the COPY, or every column in table order (positional mapping). */
function selectColumns(all: TargetColumn[], command: RedshiftCopyCommand): TargetColumn[] {
  if (command.columns === null) return all;
  return command.columns.map((written) => {
    const name = written.startsWith('"') ? written.slice(1, -1).replaceAll('""', '"') : written.toLowerCase();
    const found = all.find((column) => column.name === name);
    if (!found) {
      throw new GatewaySqlError(`column "${name}" of relation "${command.table}" does not exist`, "42703");
    }
    return found;
  });
}

async function prepareFile(
  source: CopySourceFile,
  targets: readonly TargetColumn[],
  command: RedshiftCopyCommand,
  options: CopyExecutorOptions,
): Promise<PreparedFile> {
  const fileUrl = `https://s3.${options.region}.amazonaws.com/${source.bucket}/${source.key}`;
  const bytes = await getObjectBytes(options.s3, source.bucket, source.key);
  if (bytes === null) {
    throw new GatewaySqlError(
      `S3ServiceException:The specified key does not exist.,Status 404,Error NoSuchKey`,
      sqlState.internal,
      `file: ${source.url}`,
    );
  }
  if (source.contentLength !== null && source.contentLength !== bytes.length) {
    // Spectrum locates the Parquet footer from content_length: a wrong value cannot be read.
    throw new GatewaySqlError(
      "Spectrum Scan Error",
      sqlState.internal,
      `error: Spectrum Scan Error code: 15001 context: File '${fileUrl}': manifest meta.content_length ${source.contentLength} does not match the object size ${bytes.length}`,
    );
  }
  const parquet = openParquetFile(bytes, fileUrl);
  const fileColumns = parquet.columns.length;
  // "The number of columns in the target table and the number of columns in the
  // data file must match" (COPY from columnar data formats); FILLRECORD lets a file
  // lack trailing columns, which load as NULL.
  const countOk = command.fillRecord ? fileColumns <= targets.length : fileColumns === targets.length;
  if (!countOk) {
    throw new GatewaySqlError(
      "Spectrum Scan Error",
      sqlState.internal,
      `error: Spectrum Scan Error code: 15007 context: File '${fileUrl}' has an incompatible Parquet schema: the file has ${fileColumns} columns (${parquet.columns.map((column) => column.name).join(", ")}) but the target ${command.table} has ${targets.length} (${targets.map((column) => column.name).join(", ")}); COPY maps columns by position`,
    );
  }
  const context = {
    fileUrl,
    s3Url: source.url,
    table: command.table,
    serializeToJson: command.serializeToJson,
    acceptInvalidCharacters: command.acceptInvalidCharacters,
  };
  const converters = parquet.columns.map((column, index) =>
    columnConverter(column, targets[index] as TargetColumn, context),
  );
  return { source, parquet, converters };
}

async function streamRows(link: BackendLink, files: readonly PreparedFile[], width: number): Promise<void> {
  let chunk = "";
  for (const file of files) {
    const missing: null[] = new Array(width - file.converters.length).fill(null);
    for await (const rows of file.parquet.rowGroups()) {
      for (const row of rows) {
        const values = file.converters.map((convert, index) => convert(row[index]));
        chunk += copyTextRow(missing.length > 0 ? [...values, ...missing] : values);
        if (chunk.length >= chunkCharacters) {
          link.toBackend(encodeCopyData(Buffer.from(chunk, "utf8")));
          chunk = "";
        }
      }
    }
  }
  if (chunk.length > 0) link.toBackend(encodeCopyData(Buffer.from(chunk, "utf8")));
}
