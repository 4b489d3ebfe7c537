import { configError, type SluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";

/**
 * The only COPY parameters Redshift accepts with FORMAT AS PARQUET, besides FROM,
 * MANIFEST and the authorization that sluice writes itself (AWS docs, "COPY from
 * columnar data formats").
 */
const allowed = ["ACCEPTINVCHARS", "FILLRECORD", "EXPLICIT_IDS", "STATUPDATE", "SERIALIZETOJSON"] as const;

/** Parameters people carry over from CSV loads; Redshift rejects them for Parquet. */
const rejectedWithParquet = new Set([
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
  "NOLOAD",
  "REGION",
  "JSON",
  "FIXEDWIDTH",
  "EXPLICIT_IDS_OFF",
]);

/** Parameters sluice writes itself; taking them from the operator would clash. */
const writtenBySluice = new Set([
  "MANIFEST",
  "IAM_ROLE",
  "CREDENTIALS",
  "FORMAT",
  "PARQUET",
  "FROM",
  "SESSION_TOKEN",
]);

const hint = `only ${allowed.join(", ")} are valid with FORMAT AS PARQUET`;

/**
 * Validates and normalizes operator COPY options, e.g. `["ACCEPTINVCHARS AS '?'",
 * "STATUPDATE OFF"]` or one string `"FILLRECORD EXPLICIT_IDS"`, into one canonical
 * entry per option (upper case, `ACCEPTINVCHARS AS '<c>'`). Duplicates collapse.
 */
export function normalizeCopyOptions(options: readonly string[]): Result<readonly string[], SluiceError> {
  const tokens = tokenize(options.join(" "));
  if (tokens === null)
    return err(configError(`COPY options ${JSON.stringify(options)}: unbalanced quote; ${hint}`));
  const result: string[] = [];
  const add = (option: string) => {
    if (!result.includes(option)) result.push(option);
  };
  for (let index = 0; index < tokens.length; index++) {
    const word = (tokens[index] ?? "").toUpperCase();
    const next = () => tokens[index + 1];
    switch (word) {
      case "ACCEPTINVCHARS": {
        let replacement: string | undefined;
        if (next()?.toUpperCase() === "AS") index++;
        const candidate = next();
        if (candidate?.startsWith("'")) {
          replacement = candidate.slice(1, -1);
          index++;
          if ([...replacement].length !== 1 || replacement === "\\" || replacement === "'") {
            return err(
              configError(
                `COPY option ACCEPTINVCHARS: replacement ${candidate} must be one ASCII character other than quote and backslash`,
              ),
            );
          }
        }
        add(replacement === undefined ? "ACCEPTINVCHARS" : `ACCEPTINVCHARS AS '${replacement}'`);
        break;
      }
      case "STATUPDATE": {
        const value = next()?.toUpperCase();
        if (value === "ON" || value === "OFF" || value === "TRUE" || value === "FALSE") {
          index++;
          add(`STATUPDATE ${value === "TRUE" ? "ON" : value === "FALSE" ? "OFF" : value}`);
        } else {
          add("STATUPDATE");
        }
        break;
      }
      case "FILLRECORD":
      case "EXPLICIT_IDS":
      case "SERIALIZETOJSON":
        add(word);
        break;
      default: {
        if (rejectedWithParquet.has(word)) {
          return err(
            configError(
              `COPY option ${word} is rejected by Redshift with FORMAT AS PARQUET; remove it (${hint})`,
            ),
          );
        }
        if (writtenBySluice.has(word)) {
          return err(configError(`COPY option ${word} is written by sluice itself; remove it (${hint})`));
        }
        return err(configError(`COPY option "${tokens[index]}" is not supported; ${hint}`));
      }
    }
  }
  return ok(result);
}

/** Words and single-quoted strings (quotes kept); null when a quote is unbalanced. */
function tokenize(text: string): string[] | null {
  const tokens: string[] = [];
  const pattern = /'(?:[^']|'')*'|[^\s']+|'/g;
  for (const match of text.matchAll(pattern)) {
    if (match[0] === "'") return null;
    tokens.push(match[0]);
  }
  return tokens;
}
