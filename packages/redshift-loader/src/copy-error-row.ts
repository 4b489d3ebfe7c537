/**
 * Where a PostgreSQL `COPY ... FROM STDIN` refused a value, in the source's terms.
 * PostgreSQL reports the line of the COPY (and usually the column) in the error's
 * `where` field (`COPY staging, line 2, column body: "..."`); an encoding error such
 * as `invalid byte sequence for encoding "UTF8": 0x00` names only the line. The line
 * is the row's position in the part (one part per COPY), so the part is read again up
 * to it, only on failure, to name the row by its primary key and, when PostgreSQL did
 * not, the column holding a NUL.
 */
export async function copyErrorLocation(
  thrown: unknown,
  rows: () => AsyncIterable<readonly (string | null)[]>,
  columnNames: readonly string[],
  primaryKey: readonly string[],
): Promise<string> {
  const where = (thrown as { where?: unknown } | null)?.where;
  if (typeof where !== "string") return "";
  const match = /\bline (\d+)(?:, column ([^:]+))?/.exec(where);
  if (!match) return "";
  const line = Number(match[1]);
  let column = match[2]?.trim() ?? null;
  let row: readonly (string | null)[] | null = null;
  let index = 0;
  try {
    for await (const each of rows()) {
      index += 1;
      if (index === line) {
        row = each;
        break;
      }
    }
  } catch {
    // The part could not be read again: name what PostgreSQL said.
  }
  if (row && column === null) {
    const found = row.findIndex((value) => value?.includes("\0"));
    if (found >= 0) column = columnNames[found] ?? null;
  }
  const key =
    row && primaryKey.length > 0
      ? primaryKey.map((name) => `${name}=${row[columnNames.indexOf(name)] ?? "NULL"}`).join(", ")
      : null;
  const parts = [
    column ? `column ${column}` : null,
    key ? `the row with ${key}` : null,
    `row ${line} of the part`,
  ].filter((part) => part !== null);
  const nul = row?.some((value) => value?.includes("\0"))
    ? "; the value holds U+0000 (NUL), which PostgreSQL text cannot store: withdraw the run (`sluice runs drop`) and extract it again with --nul-in-text strip|replace"
    : "";
  return ` (${parts.join(", ")}${nul})`;
}
