/**
 * One row in PostgreSQL COPY text format: values separated by tabs, `\N` for NULL,
 * backslash, tab, newline and carriage return escaped with a backslash (the only
 * characters the format treats specially). The row ends with a newline.
 */
export function copyTextLine(values: readonly (string | null)[]): string {
  let line = "";
  for (let index = 0; index < values.length; index++) {
    if (index > 0) line += "\t";
    const value = values[index];
    line += value === null || value === undefined ? "\\N" : escapeCopyText(value);
  }
  return `${line}\n`;
}

const special = /[\\\t\n\r]/;

export function escapeCopyText(value: string): string {
  if (!special.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (character) => {
    switch (character) {
      case "\\":
        return "\\\\";
      case "\t":
        return "\\t";
      case "\n":
        return "\\n";
      default:
        return "\\r";
    }
  });
}
