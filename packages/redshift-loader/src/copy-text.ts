/**
 * One row in PostgreSQL COPY text format: values separated by tabs, `\N` for NULL,
 * backslash, tab, newline and carriage return escaped with a backslash (the only
 * characters the format treats specially). The row ends with a newline.
 */
export function copyTextLine(values: readonly (string | null)[]): string {
  return `${copyTextFields(values)}\n`;
}

/** The fields of one row, tab-separated, without the newline (the caller may add columns). */
export function copyTextFields(values: readonly (string | null)[]): string {
  let line = "";
  for (let index = 0; index < values.length; index++) {
    if (index > 0) line += "\t";
    const value = values[index];
    line += value === null || value === undefined ? "\\N" : escapeCopyText(value);
  }
  return line;
}

/**
 * True when `value` holds a character COPY's text format escapes. A loop over char
 * codes: most values are short (numbers, dates, names), where calling into the regular
 * expression engine for each one cost more than the scan.
 */
function needsEscape(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code === 92 || code === 9 || code === 10 || code === 13) return true;
  }
  return false;
}

export function escapeCopyText(value: string): string {
  if (!needsEscape(value)) return value;
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
