import type { SqlFragment } from "@sluice/core";
import { sql } from "kysely";

/**
 * The first 15 hex digits (60 bits) of a text's MD5, as the source hashes it
 * (`mysqlMd5Number` in connectors). Each dialect's `md5Number` turns them into an
 * exact number: 60 bits fit a signed BIGINT, and sums stay exact as decimals.
 */
export function md5Digits(text: SqlFragment): SqlFragment {
  return sql`SUBSTRING(MD5(${text}), 1, 15)`;
}
