/**
 * A small SQL lexer: enough to rewrite keywords and find statement boundaries
 * without ever touching the inside of string literals, quoted identifiers,
 * dollar-quoted bodies or comments.
 */
export type TokenKind =
  | "space"
  | "comment"
  | "string"
  | "identifier"
  | "quoted"
  | "dollar"
  | "word"
  | "symbol";

export interface SqlToken {
  readonly kind: TokenKind;
  readonly text: string;
}

const patterns: readonly [TokenKind, RegExp][] = [
  ["space", /\s+/y],
  ["comment", /--[^\n]*|\/\*[\s\S]*?\*\//y],
  // E'...' strings allow backslash escapes; standard strings double their quotes.
  ["string", /[eE]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'/y],
  ["quoted", /"(?:[^"]|"")*"/y],
  ["dollar", /(\$[A-Za-z_]*\$)[\s\S]*?\1/y],
  ["word", /[A-Za-z_][A-Za-z0-9_$]*|\$\d+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+/y],
];

export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let position = 0;
  while (position < sql.length) {
    let matched = false;
    for (const [kind, pattern] of patterns) {
      pattern.lastIndex = position;
      const match = pattern.exec(sql);
      if (match && match[0].length > 0) {
        tokens.push({ kind, text: match[0] });
        position += match[0].length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      // Anything else (operators, punctuation, an unterminated quote) is one character.
      tokens.push({ kind: "symbol", text: sql[position] as string });
      position += 1;
    }
  }
  return tokens;
}

/** Splits a token list into statements at top-level semicolons (semicolons dropped). */
export function splitStatements(tokens: readonly SqlToken[]): SqlToken[][] {
  const statements: SqlToken[][] = [[]];
  for (const token of tokens) {
    if (token.kind === "symbol" && token.text === ";") statements.push([]);
    else statements[statements.length - 1]?.push(token);
  }
  return statements.filter((statement) => statement.some((token) => isSignificant(token)));
}

export function isSignificant(token: SqlToken): boolean {
  return token.kind !== "space" && token.kind !== "comment";
}

/** Upper-cased text of a bare word, or null for anything else. */
export function keyword(token: SqlToken | undefined): string | null {
  return token?.kind === "word" ? token.text.toUpperCase() : null;
}

/** The value of a standard string literal ('it''s' -> it's); E'' escapes are not decoded. */
export function stringValue(token: SqlToken): string {
  const body = token.text.startsWith("'") ? token.text.slice(1, -1) : token.text.slice(2, -1);
  return body.replaceAll("''", "'");
}

export function joinTokens(tokens: readonly SqlToken[]): string {
  return tokens.map((token) => token.text).join("");
}
