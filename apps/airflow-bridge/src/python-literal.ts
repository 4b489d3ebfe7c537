/**
 * Python source literals for values the DAG file embeds. A JSON string is a valid
 * Python string literal (its escapes \" \\ \n \uXXXX mean the same in both), so table
 * names, paths and flags can never break out of their quotes or inject code.
 */
export type PythonValue =
  | string
  | number
  | boolean
  | null
  | readonly PythonValue[]
  | { readonly [key: string]: PythonValue };

export function pythonLiteral(value: PythonValue): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`no Python literal for ${value}`);
    return String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (isList(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  const entries = Object.entries(value).map(
    ([key, item]) => `${JSON.stringify(key)}: ${pythonLiteral(item)}`,
  );
  return `{${entries.join(", ")}}`;
}

function isList(value: PythonValue): value is readonly PythonValue[] {
  return Array.isArray(value);
}
