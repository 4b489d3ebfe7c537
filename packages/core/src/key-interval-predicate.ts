import { sql } from "kysely";
import type { KeyInterval } from "./key-interval.js";
import type { KeyRange } from "./range-checksum.js";
import type { SqlFragment } from "./sql-dialects.js";

/**
 * The one builder of key comparisons (keyset pages, reconciliation intervals,
 * verification ranges), for the MySQL source and the warehouse dialects alike
 * (ADR 0023). A dialect says how one key column is written in a comparison: the
 * expression for the column (its ordering form) and how a bound value becomes a
 * placeholder expression (a CAST that keeps the comparison exact and the index usable).
 */
export interface OrderedKeyColumn<V = string> {
  readonly expression: SqlFragment;
  readonly bind: (value: V) => SqlFragment;
}

/** The comparison of a whole key tuple with a bound tuple. */
export type KeyComparison = ">" | ">=" | "<" | "<=";

/**
 * `key <op> bound` in the expanded lexicographic form
 * `(k1 > a1 OR (k1 = a1 AND k2 > a2))` (`<op>` on the last column, strict on the
 * others): MariaDB 10.11 uses the key index for it, which it does not for the row
 * constructor `(k1, k2) > (?, ?)` (ARCHITECTURE, measured), and Redshift has no row
 * comparison. One column: `k1 > a1`, without parentheses.
 */
export function lexicographic<V>(
  columns: readonly OrderedKeyColumn<V>[],
  bound: readonly V[],
  last: KeyComparison,
): SqlFragment {
  const strict = sql.raw(last.startsWith(">") ? ">" : "<");
  const branches = columns.map((column, index) => {
    const terms: SqlFragment[] = [];
    for (let prefix = 0; prefix < index; prefix += 1) {
      const equal = columns[prefix] as OrderedKeyColumn<V>;
      terms.push(sql`${equal.expression} = ${equal.bind(bound[prefix] as V)}`);
    }
    const operator = index === columns.length - 1 ? sql.raw(last) : strict;
    terms.push(sql`${column.expression} ${operator} ${column.bind(bound[index] as V)}`);
    return terms.length === 1 ? (terms[0] as SqlFragment) : sql`(${sql.join(terms, sql` AND `)})`;
  });
  return branches.length === 1 ? (branches[0] as SqlFragment) : sql`(${sql.join(branches, sql` OR `)})`;
}

/** `key > after AND key <= through`; null for an unbounded interval. */
export function intervalPredicate(
  columns: readonly OrderedKeyColumn[],
  interval: KeyInterval,
): SqlFragment | null {
  const parts: SqlFragment[] = [];
  if (interval.after) parts.push(lexicographic(columns, interval.after, ">"));
  if (interval.through) parts.push(lexicographic(columns, interval.through, "<="));
  return parts.length === 0 ? null : sql.join(parts, sql` AND `);
}

/** `key >= from AND key < to` (a verification range); null for an unbounded range. */
export function keyRangePredicate(columns: readonly OrderedKeyColumn[], range: KeyRange): SqlFragment | null {
  const parts: SqlFragment[] = [];
  if (range.from) parts.push(lexicographic(columns, range.from, ">="));
  if (range.to) parts.push(lexicographic(columns, range.to, "<"));
  return parts.length === 0 ? null : sql.join(parts, sql` AND `);
}

/** `(k1 = ? AND k2 = ?) OR ...` for point lookups of whole keys. */
export function keyListPredicate(
  columns: readonly OrderedKeyColumn[],
  keys: readonly (readonly string[])[],
): SqlFragment {
  return sql.join(
    keys.map((key) => {
      const terms = columns.map(
        (column, index) => sql`${column.expression} = ${column.bind(key[index] ?? "")}`,
      );
      return terms.length === 1 ? (terms[0] as SqlFragment) : sql`(${sql.join(terms, sql` AND `)})`;
    }),
    sql` OR `,
  );
}
