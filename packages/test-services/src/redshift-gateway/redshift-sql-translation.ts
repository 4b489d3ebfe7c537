import { isSignificant, joinTokens, keyword, type SqlToken } from "./sql-tokens.js";

/** Schema holding what PostgreSQL lacks (see compat-catalog.ts). */
export const compatSchema = "redshift";

/** Redshift functions PostgreSQL lacks, emulated in the compat schema under the same name. */
const compatFunctions = new Set(["JSON_PARSE", "STRTOL", "TO_VARBYTE", "FROM_VARBYTE"]);

/** Redshift's VARBYTE without a length holds up to 64,000 bytes (AWS docs, "VARBYTE type"). */
export const defaultVarbyteLength = 64_000;

export interface TranslatedStatement {
  readonly sql: string;
  /** VARBYTE lengths whose domains must exist before the statement runs. */
  readonly varbyteLengths: readonly number[];
}

/** `redshift.varbyte_<n>`: a domain per length keeps the byte limit visible to COPY. */
export function varbyteDomain(length: number): string {
  return `${compatSchema}.varbyte_${length}`;
}

/**
 * Rewrites one Redshift statement into PostgreSQL. Only what PostgreSQL lacks is
 * touched: physical-design clauses (DISTSTYLE, DISTKEY, SORTKEY, ENCODE, BACKUP) are
 * dropped, SUPER and VARBYTE become domains in the `redshift` schema, GETDATE() and
 * SYSDATE become their PostgreSQL equivalents, JSON_PARSE a function into the SUPER
 * domain, STRTOL, TO_VARBYTE and FROM_VARBYTE compat functions, SVV_COLUMNS a view of the same shape.
 * Everything else passes unchanged.
 */
export function translateStatement(tokens: readonly SqlToken[]): TranslatedStatement {
  const first = keyword(tokens.find(isSignificant));
  const ddl = first === "CREATE" || first === "ALTER";
  if (first === "ALTER" && isPhysicalDesignAlter(tokens)) {
    // ALTER TABLE t ALTER DISTSTYLE/DISTKEY/SORTKEY, ALTER COLUMN c ENCODE: storage
    // layout only, nothing PostgreSQL can hold. A statement that changes nothing.
    return { sql: "SELECT 1 WHERE false", varbyteLengths: [] };
  }
  const out: SqlToken[] = [];
  const varbyteLengths: number[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as SqlToken;
    const word = keyword(token);
    const nextIndex = nextSignificant(tokens, index);
    const next = tokens[nextIndex];
    if (word === "GETDATE" && next?.text === "(") {
      const close = nextSignificant(tokens, nextIndex);
      if (tokens[close]?.text === ")") {
        // Redshift GETDATE(): the session's current time, seconds precision, no zone.
        out.push({ kind: "word", text: `${compatSchema}.getdate()` });
        index = close;
        continue;
      }
    }
    if (
      word &&
      compatFunctions.has(word) &&
      next?.text === "(" &&
      out.filter(isSignificant).at(-1)?.text !== "."
    ) {
      out.push({ kind: "word", text: `${compatSchema}.${word.toLowerCase()}` });
      continue;
    }
    if (word === "SVV_COLUMNS" && out.filter(isSignificant).at(-1)?.text !== ".") {
      out.push({ kind: "word", text: `${compatSchema}.svv_columns` });
      continue;
    }
    if (word === "SYSDATE") {
      out.push({ kind: "word", text: "LOCALTIMESTAMP" });
      continue;
    }
    if (!ddl) {
      out.push(token);
      continue;
    }
    if (word === "ENCODE" || word === "DISTSTYLE" || word === "BACKUP") {
      index = nextIndex; // drop the keyword and its argument
      continue;
    }
    if (word === "COMPOUND" || word === "INTERLEAVED") continue; // before SORTKEY
    if (word === "DISTKEY" || word === "SORTKEY") {
      if (next?.text === "(") index = closingParen(tokens, nextIndex);
      else if (keyword(next) === "AUTO") index = nextIndex;
      continue;
    }
    const typeWord = word === "SUPER" || word === "VARBYTE" || word === "VARBINARY" || word === "BINARY";
    if (!typeWord || !inTypePosition(out)) {
      out.push(token);
      continue;
    }
    if (word === "SUPER") {
      out.push({ kind: "word", text: `${compatSchema}.super` });
      continue;
    }
    if (word === "VARBYTE" || word === "VARBINARY" || (word === "BINARY" && keyword(next) === "VARYING")) {
      let end = word === "BINARY" ? nextIndex : index;
      let length = defaultVarbyteLength;
      const open = nextSignificant(tokens, end);
      if (tokens[open]?.text === "(") {
        const value = nextSignificant(tokens, open);
        length = Number(tokens[value]?.text);
        end = closingParen(tokens, open);
      }
      varbyteLengths.push(length);
      out.push({ kind: "word", text: varbyteDomain(length) });
      index = end;
      continue;
    }
    out.push(token);
  }
  return { sql: joinTokens(out), varbyteLengths };
}

/**
 * True where a column type is written: after `( name`, `, name`, `ADD [COLUMN] name`
 * or `TYPE`, so a table or column that happens to be called "super" stays itself.
 */
function inTypePosition(out: readonly SqlToken[]): boolean {
  const significant = out.filter(isSignificant);
  const previous = significant[significant.length - 1];
  if (keyword(previous) === "TYPE") return true;
  if (previous?.kind !== "word" && previous?.kind !== "quoted") return false;
  const before = significant[significant.length - 2];
  const text = keyword(before) ?? before?.text;
  return text === "(" || text === "," || text === "COLUMN" || text === "ADD";
}

function isPhysicalDesignAlter(tokens: readonly SqlToken[]): boolean {
  const words = tokens.filter(isSignificant).map((token) => keyword(token) ?? token.text);
  if (words[1] !== "TABLE") return false;
  const alterAt = words.indexOf("ALTER", 2);
  if (alterAt === -1) return false;
  const what = words[alterAt + 1];
  if (what === "DISTSTYLE" || what === "DISTKEY" || what === "SORTKEY") return true;
  if (what === "COMPOUND" || what === "INTERLEAVED") return true;
  return what === "COLUMN" && words[alterAt + 3] === "ENCODE";
}

function nextSignificant(tokens: readonly SqlToken[], index: number): number {
  let next = index + 1;
  while (next < tokens.length && !isSignificant(tokens[next] as SqlToken)) next++;
  return next;
}

function closingParen(tokens: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    const text = (tokens[index] as SqlToken).text;
    if (text === "(") depth++;
    if (text === ")" && --depth === 0) return index;
  }
  return tokens.length - 1;
}
