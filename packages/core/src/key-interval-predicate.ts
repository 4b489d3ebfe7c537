import type { KeyInterval } from "./key-interval.js";

/**
 * SQL text for key intervals, shared by the MySQL source and the warehouse dialects.
 *
 * How one key column is written in a comparison: the expression for the column
 * (its ordering form) and a function that renders a bound value as a placeholder
 * expression, pushing what it binds. Source and warehouse dialects each supply these;
 * the lexicographic expansion below is shared.
 */
export interface OrderedKeyColumn {
  readonly expression: string;
  readonly bind: (text: string, values: unknown[]) => string;
}

/**
 * `key > after AND key <= through` in the expanded lexicographic form
 * (`k1 > ? OR (k1 = ? AND k2 > ?)`): MariaDB uses the key index for it, which it does
 * not for the row constructor `(k1, k2) > (?, ?)`. Empty text for an unbounded interval.
 */
export function intervalPredicate(
  columns: readonly OrderedKeyColumn[],
  interval: KeyInterval,
  values: unknown[],
): string {
  const parts: string[] = [];
  if (interval.after) parts.push(lexicographic(columns, interval.after, ">", values));
  if (interval.through) parts.push(lexicographic(columns, interval.through, "<=", values));
  return parts.join(" AND ");
}

/** `(k1 > a1 OR (k1 = a1 AND k2 > a2))`, or with `<=` on the last column `(k1 < b1 OR (k1 = b1 AND k2 <= b2))`. */
export function lexicographic(
  columns: readonly OrderedKeyColumn[],
  bound: readonly string[],
  last: ">" | "<=",
  values: unknown[],
): string {
  const strict = last === ">" ? ">" : "<";
  const branches = columns.map((column, index) => {
    const terms: string[] = [];
    for (let prefix = 0; prefix < index; prefix += 1) {
      const equal = columns[prefix] as OrderedKeyColumn;
      terms.push(`${equal.expression} = ${equal.bind(bound[prefix] ?? "", values)}`);
    }
    const operator = index === columns.length - 1 ? last : strict;
    terms.push(`${column.expression} ${operator} ${column.bind(bound[index] ?? "", values)}`);
    return terms.length === 1 ? (terms[0] as string) : `(${terms.join(" AND ")})`;
  });
  return branches.length === 1 ? (branches[0] as string) : `(${branches.join(" OR ")})`;
}

/** `(k1 = ? AND k2 = ?) OR ...` for point lookups of whole keys. */
export function keyListPredicate(
  columns: readonly OrderedKeyColumn[],
  keys: readonly (readonly string[])[],
  values: unknown[],
): string {
  return keys
    .map((key) => {
      const terms = columns.map(
        (column, index) => `${column.expression} = ${column.bind(key[index] ?? "", values)}`,
      );
      return terms.length === 1 ? (terms[0] as string) : `(${terms.join(" AND ")})`;
    })
    .join(" OR ");
}
