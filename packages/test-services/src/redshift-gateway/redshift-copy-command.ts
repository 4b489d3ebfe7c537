import { GatewaySqlError, notSupportedForParquet, sqlState } from "./gateway-error.js";
import { isSignificant, joinTokens, keyword, type SqlToken, stringValue } from "./sql-tokens.js";

/** A parsed `COPY <table> [(columns)] FROM 's3://...' ... FORMAT AS PARQUET ...`. */
export interface RedshiftCopyCommand {
  /** The table as written (quoted parts kept), ready to paste into SQL. */
  readonly table: string;
  /** The column list as written (quoted identifiers kept), or null for all columns. */
  readonly columns: readonly string[] | null;
  readonly source: string;
  readonly manifest: boolean;
  readonly fillRecord: boolean;
  readonly serializeToJson: boolean;
  /** ACCEPTINVCHARS replacement character, or null when invalid UTF-8 fails the load. */
  readonly acceptInvalidCharacters: string | null;
}

/**
 * The parameters AWS lists for columnar COPY ("COPY from columnar data formats":
 * ACCEPTINVCHARS, FILLRECORD, FROM, IAM_ROLE, CREDENTIALS, STATUPDATE, MANIFEST,
 * ACCESS_KEY_ID/SECRET_ACCESS_KEY/SESSION_TOKEN, EXPLICIT_IDS) plus SERIALIZETOJSON
 * ("Loading semistructured data": Parquet into SUPER) and FORMAT itself.
 */
const columnarParameters = new Set([
  "ACCEPTINVCHARS",
  "FILLRECORD",
  "IAM_ROLE",
  "CREDENTIALS",
  "STATUPDATE",
  "MANIFEST",
  "ACCESS_KEY_ID",
  "SECRET_ACCESS_KEY",
  "SESSION_TOKEN",
  "EXPLICIT_IDS",
  "SERIALIZETOJSON",
  "FORMAT",
  "PARQUET",
]);

/**
 * COPY parameters Redshift has for other formats. With Parquet each is refused
 * ("ACCEPTANYDATE and MAXERROR aren't supported for columnar data types"; REGION:
 * "the REGION parameter isn't supported for COPY from columnar formats").
 */
const otherFormatParameters = new Set([
  "MAXERROR",
  "ACCEPTANYDATE",
  "TRUNCATECOLUMNS",
  "DATEFORMAT",
  "TIMEFORMAT",
  "GZIP",
  "BZIP2",
  "LZOP",
  "ZSTD",
  "DELIMITER",
  "CSV",
  "IGNOREHEADER",
  "BLANKSASNULL",
  "EMPTYASNULL",
  "NULL",
  "ESCAPE",
  "REMOVEQUOTES",
  "ROUNDEC",
  "TRIMBLANKS",
  "IGNOREBLANKLINES",
  "ENCODING",
  "COMPUPDATE",
  "COMPROWS",
  "NOLOAD",
  "REGION",
  "JSON",
  "AVRO",
  "FIXEDWIDTH",
  "ENCRYPTED",
  "MASTER_SYMMETRIC_KEY",
  "READRATIO",
  "SSH",
]);

/**
 * Parses the tokens of one COPY statement. Throws GatewaySqlError for anything
 * Redshift would refuse before reading a file.
 */
export function parseRedshiftCopy(tokens: readonly SqlToken[]): RedshiftCopyCommand {
  const significant = tokens.filter(isSignificant);
  let index = 1; // after COPY
  const tableTokens: SqlToken[] = [];
  while (
    index < significant.length &&
    keyword(significant[index]) !== "FROM" &&
    significant[index]?.text !== "("
  ) {
    tableTokens.push(significant[index] as SqlToken);
    index++;
  }
  if (tableTokens.length === 0) throw syntaxError(significant[index]);
  let columns: string[] | null = null;
  if (significant[index]?.text === "(") {
    columns = [];
    index++;
    while (index < significant.length && significant[index]?.text !== ")") {
      const token = significant[index] as SqlToken;
      if (token.text !== ",") columns.push(token.text);
      index++;
    }
    index++;
  }
  if (keyword(significant[index]) !== "FROM") throw syntaxError(significant[index]);
  index++;
  const sourceToken = significant[index];
  if (sourceToken?.kind !== "string") {
    // COPY FROM STDIN and friends: Redshift loads only from S3, EMR, DynamoDB or SSH hosts.
    throw new GatewaySqlError(
      "LOAD source is not supported. (Hint: only S3 or DynamoDB or EMR based load is allowed)",
      sqlState.featureNotSupported,
    );
  }
  const source = stringValue(sourceToken);
  index++;
  let format: string | null = null;
  let manifest = false;
  let fillRecord = false;
  let serializeToJson = false;
  let acceptInvalidCharacters: string | null = null;
  let authorized = false;
  const rest = significant.slice(index);
  const refusals: GatewaySqlError[] = [];
  for (let at = 0; at < rest.length; at++) {
    const word = keyword(rest[at]);
    const peek = () => rest[at + 1];
    const takeString = () => {
      if (keyword(peek()) === "AS") at++;
      if (peek()?.kind !== "string") throw syntaxError(peek());
      at++;
      return stringValue(rest[at] as SqlToken);
    };
    if (word === null) throw syntaxError(rest[at]);
    if (otherFormatParameters.has(word)) {
      refusals.push(notSupportedForParquet(word));
      // Skip a following argument so one refusal is reported, not a syntax error.
      if (peek() && (peek()?.kind === "string" || /^\d/.test(peek()?.text ?? ""))) at++;
      continue;
    }
    if (!columnarParameters.has(word)) throw syntaxError(rest[at]);
    switch (word) {
      case "FORMAT": {
        if (keyword(peek()) === "AS") at++;
        at++;
        format = keyword(rest[at]);
        if (format === null) throw syntaxError(rest[at]);
        break;
      }
      case "PARQUET":
        format = "PARQUET";
        break;
      case "MANIFEST":
        manifest = true;
        break;
      case "FILLRECORD":
        fillRecord = true;
        break;
      case "SERIALIZETOJSON":
        serializeToJson = true;
        break;
      case "EXPLICIT_IDS":
        break;
      case "STATUPDATE": {
        const value = keyword(peek());
        if (value === "ON" || value === "OFF" || value === "TRUE" || value === "FALSE") at++;
        break;
      }
      case "ACCEPTINVCHARS": {
        acceptInvalidCharacters = "?";
        if (keyword(peek()) === "AS" || peek()?.kind === "string") acceptInvalidCharacters = takeString();
        break;
      }
      case "IAM_ROLE": {
        if (keyword(peek()) === "DEFAULT") at++;
        else takeString();
        authorized = true;
        break;
      }
      case "CREDENTIALS":
      case "ACCESS_KEY_ID":
        takeString();
        authorized = true;
        break;
      default:
        takeString(); // SECRET_ACCESS_KEY, SESSION_TOKEN
    }
  }
  if (format !== "PARQUET") {
    throw new GatewaySqlError(
      `the Redshift gateway emulates only COPY ... FORMAT AS PARQUET, not ${format ?? "delimited text"}`,
      sqlState.featureNotSupported,
    );
  }
  const refusal = refusals[0];
  if (refusal) throw refusal;
  if (!authorized) {
    throw new GatewaySqlError(
      "Neither CREDENTIALS, IAM_ROLE nor ACCESS_KEY_ID is specified for COPY",
      sqlState.syntax,
    );
  }
  if (!/^s3:\/\/[^/]+\/?/i.test(source)) {
    throw new GatewaySqlError(
      `the Redshift gateway loads only from s3:// locations, not '${source}'`,
      sqlState.featureNotSupported,
    );
  }
  return {
    table: joinTokens(tableTokens),
    columns,
    source,
    manifest,
    fillRecord,
    serializeToJson,
    acceptInvalidCharacters,
  };
}

function syntaxError(token: SqlToken | undefined): GatewaySqlError {
  return new GatewaySqlError(
    token ? `syntax error at or near "${token.text}"` : "syntax error at end of input",
    sqlState.syntax,
  );
}
